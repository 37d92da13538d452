import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { controlCommand } from "./start.ts";

/** `ltctl stop [--pod P]`: stop the run on every agent, or one. */
export function register(program: Command, io: CliIo): void {
  controlCommand(program, io, "stop", "stop the current run on every agent (or one with --pod)");
}
