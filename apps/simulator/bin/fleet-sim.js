#!/usr/bin/env node
// `fleet-sim` bin: runs the TypeScript CLI in-process through tsx's loader (no build step), so
// signals reach the CLI directly and `npx fleet-sim` works from the repository root.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
