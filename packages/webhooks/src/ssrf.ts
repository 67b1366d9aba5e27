import { promises as dns, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * The SSRF guard: webhook URLs are chosen by users, so the dispatcher must not become a way to
 * reach what only the server can reach (loopback, the private network, cloud metadata services).
 *
 * - An address is allowed only if ipaddr.js classifies it as public "unicast"; every other range
 *   is refused: loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the
 *   cloud metadata address 169.254.169.254, fe80::/10), CGNAT (100.64/10, e.g. Alibaba's metadata
 *   100.100.100.200), multicast, broadcast, unspecified, reserved and documentation ranges,
 *   unique-local IPv6 (fc00::/7, e.g. AWS's fd00:ec2::254), and IPv6 forms that embed or tunnel
 *   an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo).
 * - Host names are resolved and refused if ANY of their addresses is refused; `localhost`,
 *   `*.localhost` and the metadata host names are refused by name.
 * - IPv4 written in decimal, octal or hex (2130706433, 0177.0.0.1, 0x7f.1) is normalised by the
 *   WHATWG URL parser before any check, so it is checked as the address it means.
 * - Checked at registration (`checkEndpointUrl`) and again on every connection
 *   (`guardedLookup` as the socket's DNS lookup, `checkLiteralHost` for IP literals), so a name
 *   that resolves differently later (DNS rebinding) still cannot reach an internal address.
 *
 * An allow-list (WEBHOOK_ALLOWED_TARGETS) names hosts and networks exempt from all of this and
 * from the https requirement: for local development, tests and the embedded demo.
 */

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address. */
export const systemResolver: Resolver = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

export interface AllowList {
  /** Lower-case host names, without a trailing dot. */
  readonly hosts: ReadonlySet<string>;
  readonly networks: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** The setting as given, for logs. */
  readonly text: string;
}

export const EMPTY_ALLOW_LIST: AllowList = { hosts: new Set(), networks: [], text: "" };

/** The loopback networks and name: what `npm start` allows so its demo can call a local receiver. */
export const LOOPBACK_TARGETS = "127.0.0.0/8,::1/128,localhost";

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Parses "127.0.0.0/8,::1,localhost,hooks.test": CIDR networks, single addresses, host names;
 * "none" (or nothing) allows nothing. Throws an Error naming the bad entry.
 */
export function parseAllowList(text: string): AllowList {
  if (text.trim().toLowerCase() === "none") return EMPTY_ALLOW_LIST;
  const hosts = new Set<string>();
  const networks: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry.includes("/")) {
      try {
        networks.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new Error(`"${raw.trim()}" is not a network (e.g. 127.0.0.0/8 or fd00::/8)`);
      }
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      networks.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (HOST_NAME.test(entry.replace(/\.$/, ""))) {
      hosts.add(entry.replace(/\.$/, ""));
    } else {
      throw new Error(`"${raw.trim()}" is neither a host name, an address nor a network`);
    }
  }
  return { hosts, networks, text: text.trim() };
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address (cloud metadata lives here)",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT (CGNAT) address",
  private: "a private address",
  reserved: "a reserved address",
  uniqueLocal: "a unique-local (private) IPv6 address",
  ipv4Mapped: "an IPv4-mapped IPv6 address",
  rfc6145: "an IPv4-translated IPv6 address",
  rfc6052: "a NAT64 (IPv4-embedding) IPv6 address",
  "6to4": "a 6to4 (IPv4-embedding) IPv6 address",
  teredo: "a Teredo tunnel address",
};

/** Host names of cloud metadata services and the local machine, refused whatever they resolve to. */
const BLOCKED_NAMES = [
  "localhost",
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
];

const bareHost = (hostname: string) =>
  hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // ipaddr.parse also takes the old inet_aton spellings (0x7f.1); only canonical forms count
  // as literals here, the URL parser has already normalised what a request would use.
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text)
    ? ipaddr.parse(text)
    : undefined;
}

function allowedAddress(address: ipaddr.IPv4 | ipaddr.IPv6, allow: AllowList): boolean {
  return allow.networks.some(
    ([network, bits]) => address.kind() === network.kind() && address.match(network, bits),
  );
}

/** Why this address may not be a webhook target, or undefined if it may. */
export function refusedAddress(
  text: string,
  allow: AllowList = EMPTY_ALLOW_LIST,
): string | undefined {
  const address = parseAddress(bareHost(text));
  if (!address) return `"${text}" is not an IP address`;
  if (allowedAddress(address, allow)) return undefined;
  const range = address.range();
  return range === "unicast" ? undefined : (RANGE_NAMES[range] ?? `a ${range} address`);
}

function refusedName(host: string, allow: AllowList): string | undefined {
  if (allow.hosts.has(host)) return undefined;
  if (BLOCKED_NAMES.includes(host) || host.endsWith(".localhost")) {
    return `${host} names the local machine or a metadata service`;
  }
  return undefined;
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * Registration check of an endpoint URL: scheme, https, no credentials, and every address the
 * host resolves to. `problem` is one line for the API's 400 answer.
 */
export async function checkEndpointUrl(
  raw: string,
  options: { allow: AllowList; resolve?: Resolver },
): Promise<TargetCheck> {
  const { allow, resolve = systemResolver } = options;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: `url: "${raw}" is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, problem: `url: ${url.protocol} is not allowed; use https://` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      problem: "url: credentials in the URL are not allowed; use a custom header",
    };
  }
  const host = bareHost(url.hostname);
  const refusal = await refusedHost(host, allow, resolve);
  if (refusal.problem) return { ok: false, problem: `url: ${refusal.problem}` };
  if (url.protocol === "http:" && !refusal.allowListed) {
    return {
      ok: false,
      problem: "url: must use https (plain http only for targets on WEBHOOK_ALLOWED_TARGETS)",
    };
  }
  return { ok: true, url };
}

async function refusedHost(
  host: string,
  allow: AllowList,
  resolve: Resolver,
): Promise<{ problem?: string; allowListed: boolean }> {
  if (allow.hosts.has(host)) return { allowListed: true };
  const literal = parseAddress(host);
  if (literal) {
    const problem = refusedAddress(host, allow);
    return problem
      ? { problem: `${host} is ${problem}`, allowListed: false }
      : { allowListed: allowedAddress(literal, allow) };
  }
  const byName = refusedName(host, allow);
  if (byName) return { problem: byName, allowListed: false };
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return { problem: `host ${host} does not resolve (${code})`, allowListed: false };
  }
  if (addresses.length === 0) return { problem: `host ${host} has no address`, allowListed: false };
  for (const { address } of addresses) {
    const problem = refusedAddress(address, allow);
    if (problem)
      return { problem: `${host} resolves to ${address}, ${problem}`, allowListed: false };
  }
  const parsed = addresses.map(({ address }) => parseAddress(address));
  return { allowListed: parsed.every((a) => a !== undefined && allowedAddress(a, allow)) };
}

/** Error code of a connection the guard refused (an attempt's error says why). */
export const BLOCKED_CODE = "EWEBHOOKTARGET";

export class BlockedTargetError extends Error {
  readonly code = BLOCKED_CODE;
  override name = "BlockedTargetError";
}

/**
 * Connect-time check of a URL's host when it is an IP literal or a refused name (the socket's
 * lookup is not called for literals). Throws BlockedTargetError.
 */
export function checkLiteralHost(hostname: string, allow: AllowList): void {
  const host = bareHost(hostname);
  if (allow.hosts.has(host)) return;
  const byName = refusedName(host, allow);
  if (byName) throw new BlockedTargetError(`blocked target: ${byName}`);
  if (!parseAddress(host)) return;
  const problem = refusedAddress(host, allow);
  if (problem) throw new BlockedTargetError(`blocked target: ${host} is ${problem}`);
}

/**
 * A `lookup` for net/tls connect (undici's `connect.lookup`): resolves the name and refuses the
 * connection if any address is refused, so what is checked is what is connected to.
 */
export function guardedLookup(
  allow: AllowList,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    const host = bareHost(hostname);
    const answer = (addresses: LookupAddress[]) => {
      if (!allow.hosts.has(host)) {
        for (const { address } of addresses) {
          const problem = refusedAddress(address, allow);
          if (problem) {
            callback(
              new BlockedTargetError(`blocked target: ${host} resolves to ${address}, ${problem}`),
              "",
            );
            return;
          }
        }
      }
      const family = options.family === 6 ? 6 : options.family === 4 ? 4 : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      const first = usable[0];
      if (!first) {
        callback(Object.assign(new Error(`no address for ${host}`), { code: "ENOTFOUND" }), "");
      } else if (options.all) {
        callback(null, usable);
      } else {
        callback(null, first.address, first.family);
      }
    };
    resolve(host).then(answer, (error: NodeJS.ErrnoException) => callback(error, ""));
  };
}
