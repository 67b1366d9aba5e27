#!/usr/bin/env node
// `fleet-hooks` bin: runs the TypeScript CLI in-process through tsx's loader (no build step), so
// `npx fleet-hooks listen ...` works from the repository root.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
