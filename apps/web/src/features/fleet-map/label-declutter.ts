/** A label's box on the screen in px (what getBoundingClientRect gives). */
export interface LabelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Which labels to show so that none covers another, greedily in priority order (as map labelling
 * does): a label is shown unless it comes within `gapPx` of one already shown. A missing or empty
 * box (a label not on the map) is not shown and covers nothing.
 */
export function labelsToShow(boxes: readonly (LabelBox | undefined)[], gapPx = 2): boolean[] {
  const shown: LabelBox[] = [];
  return boxes.map((box) => {
    if (!box || box.right <= box.left || box.bottom <= box.top) return false;
    const covers = shown.some(
      (s) =>
        box.left < s.right + gapPx &&
        box.right > s.left - gapPx &&
        box.top < s.bottom + gapPx &&
        box.bottom > s.top - gapPx,
    );
    if (!covers) shown.push(box);
    return !covers;
  });
}
