export {
  createSpeedWindowsOperator,
  type SpeedWindowSettings,
  type SpeedWindowsDeps,
  speedWindowSettings,
} from "./operator";
