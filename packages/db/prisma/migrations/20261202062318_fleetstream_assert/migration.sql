-- A check inside a statement: raises `message` with the hint 'fleetstream:<kind>' unless `ok`.
-- The processor writes a checkpoint as one multi-statement script (one round trip), so a check
-- whose result it used to read (the checkpoint's compare-and-set) raises instead; the client
-- tells the kinds apart by the hint (assertionKind in packages/db/src/sql.ts).
CREATE OR REPLACE FUNCTION fleetstream_assert(ok boolean, message text, kind text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', message USING HINT = 'fleetstream:' || kind;
  END IF;
  RETURN true;
END
$$;
