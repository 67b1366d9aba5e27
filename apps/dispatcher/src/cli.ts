import { Command, InvalidArgumentError, Option } from "commander";
import { createReceiver, formatDelivery } from "./receiver";

/**
 * `fleet-hooks listen --port 4000 --secret whsec_…`: receives webhook deliveries, verifies
 * each with the reference Standard Webhooks verifier and prints one line per alert.
 */
const integer = (min: number, max: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
  }
  return value;
};

export function cli(): Command {
  const program = new Command("fleet-hooks").description(
    "Try Fleetstream alert webhooks: a local receiver that verifies and prints deliveries",
  );
  program
    .command("listen")
    .description("receive deliveries, verify their signature, print one line per alert")
    .addOption(
      new Option("--secret <whsec>", "the endpoint's signing secret (shown when it was created)")
        .env("FLEET_HOOKS_SECRET")
        .makeOptionMandatory(),
    )
    .option("--port <port>", "port to listen on", integer(0, 65_535), 4000)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option(
      "--status <code>",
      "status to answer verified deliveries (try 500 to see retries)",
      integer(200, 599),
      204,
    )
    .option("--json", "print each payload as JSON instead of one line")
    .action(
      async (options: {
        secret: string;
        port: number;
        host: string;
        status: number;
        json?: boolean;
      }) => {
        if (!/^whsec_[A-Za-z0-9+/=]+$/.test(options.secret)) {
          program.error("fleet-hooks: --secret must look like whsec_<base64>", { exitCode: 2 });
        }
        const receiver = createReceiver({
          port: options.port,
          host: options.host,
          secret: options.secret,
          status: options.status,
          onDelivery: (delivery) =>
            process.stdout.write(
              `${options.json ? JSON.stringify({ id: delivery.id, ...delivery.payload }) : formatDelivery(delivery)}\n`,
            ),
          onRejected: (reason, request) =>
            process.stderr.write(`rejected ${request.method} ${request.path}: ${reason}\n`),
        });
        await receiver.start();
        process.stderr.write(
          `fleet-hooks: listening on ${receiver.url} — register it as an endpoint URL; Ctrl-C stops\n`,
        );
        const stop = () => void receiver.stop().then(() => process.exit(0));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    );
  return program;
}

await cli().parseAsync(process.argv);
