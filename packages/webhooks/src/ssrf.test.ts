import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  BLOCKED_CODE,
  checkEndpointUrl,
  checkLiteralHost,
  EMPTY_ALLOW_LIST,
  guardedLookup,
  LOOPBACK_TARGETS,
  parseAllowList,
  type Resolver,
} from "./ssrf";

// A resolver with fixed answers: no test depends on the machine's DNS.
const DNS: Record<string, string[]> = {
  "hooks.example.com": ["93.184.215.14"],
  "v6.example.com": ["2606:4700:4700::1111"],
  "rebind.test": ["127.0.0.1"],
  "internal.test": ["10.0.0.5"],
  "mixed.test": ["93.184.215.14", "10.0.0.1"],
  "metadata-alias.test": ["169.254.169.254"],
  "v6local.test": ["::1"],
  "mapped.test": ["::ffff:127.0.0.1"],
  "ula.test": ["fd00::1"],
};
const resolve: Resolver = async (hostname) => {
  const addresses = DNS[hostname];
  if (!addresses)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

/** Every one must be refused at registration (no allow-list). */
const REFUSED = [
  // loopback, in every spelling the URL parser accepts
  "https://127.0.0.1/",
  "https://127.0.0.2:8443/hooks",
  "https://127.1/",
  "https://2130706433/",
  "https://0x7f000001/",
  "https://0x7f.0.0.1/",
  "https://0177.0.0.1/",
  "https://017700000001/",
  "https://localhost/",
  "https://localhost./",
  "https://app.localhost/",
  "https://[::1]/",
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:7f00:1]/",
  "https://[0:0:0:0:0:ffff:127.0.0.1]/",
  // unspecified
  "https://0/",
  "https://0.0.0.0/",
  "https://[::]/",
  // private
  "https://10.0.0.1/",
  "https://10.255.255.254/",
  "https://012.0.0.1/",
  "https://0x0a000001/",
  "https://172.16.0.1/",
  "https://172.31.255.254/",
  "https://192.168.0.1/",
  "https://3232235777/",
  "https://0xc0.0xa8.1.1/",
  // link-local and cloud metadata
  "https://169.254.169.254/latest/meta-data/",
  "https://169.254.170.2/v2/credentials",
  "https://2852039166/",
  "https://0xA9FEA9FE/",
  "https://0251.0376.0251.0376/",
  "https://[fd00:ec2::254]/",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://metadata.goog/",
  "https://192.0.0.192/",
  "https://[fe80::1]/",
  // CGNAT (Alibaba's metadata service lives here)
  "https://100.100.100.200/",
  "https://100.64.0.1/",
  "https://100.127.255.254/",
  // multicast and broadcast
  "https://224.0.0.1/",
  "https://239.255.255.250/",
  "https://255.255.255.255/",
  "https://[ff02::1]/",
  // private IPv6 and IPv6 that carries an IPv4 address
  "https://[fc00::1]/",
  "https://[fd12:3456:789a::1]/",
  "https://[64:ff9b::7f00:1]/",
  "https://[2002:7f00:1::]/",
  "https://[2001::1]/",
  // reserved, benchmarking, documentation
  "https://198.18.0.1/",
  "https://240.0.0.1/",
  "https://192.0.2.10/",
  // names that resolve inside
  "https://rebind.test/",
  "https://internal.test/",
  "https://mixed.test/",
  "https://metadata-alias.test/",
  "https://v6local.test/",
  "https://mapped.test/",
  "https://ula.test/",
  "https://nxdomain.test/",
  // scheme, https, credentials, not a URL
  "http://hooks.example.com/",
  "ftp://hooks.example.com/",
  "file:///etc/passwd",
  "gopher://hooks.example.com/",
  "https://user:pass@hooks.example.com/",
  "not a url",
];

const ALLOWED = [
  "https://hooks.example.com/fleet",
  "https://v6.example.com:8443/h?x=1",
  "https://93.184.215.14/",
  "https://[2606:4700:4700::1111]/hooks",
];

describe("SSRF guard at registration", () => {
  it(`refuses ${REFUSED.length} internal, disguised and malformed targets`, async () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(50);
    for (const url of REFUSED) {
      const checked = await checkEndpointUrl(url, { allow: EMPTY_ALLOW_LIST, resolve });
      expect(checked, url).toMatchObject({ ok: false, problem: expect.stringMatching(/^url: /) });
    }
  });

  it("says why, naming the address", async () => {
    const check = (url: string) => checkEndpointUrl(url, { allow: EMPTY_ALLOW_LIST, resolve });
    expect(await check("https://0x7f.1/")).toMatchObject({
      problem: "url: 127.0.0.1 is a loopback address",
    });
    expect(await check("https://rebind.test/")).toMatchObject({
      problem: "url: rebind.test resolves to 127.0.0.1, a loopback address",
    });
    expect(await check("https://100.100.100.200/")).toMatchObject({
      problem: expect.stringContaining("CGNAT"),
    });
    expect(await check("http://hooks.example.com/")).toMatchObject({
      problem: expect.stringContaining("must use https"),
    });
  });

  it("accepts public https targets", async () => {
    for (const url of ALLOWED) {
      const checked = await checkEndpointUrl(url, { allow: EMPTY_ALLOW_LIST, resolve });
      expect(checked.ok, url).toBe(true);
    }
  });

  it("lets the allow-list open named hosts and networks, over plain http too", async () => {
    const allow = parseAllowList(`${LOOPBACK_TARGETS},10.0.0.0/8`);
    for (const url of [
      "http://127.0.0.1:4000/hooks",
      "http://localhost:4000/",
      "http://[::1]:4000/",
      "http://0x7f.1:4000/",
      "http://internal.test/",
      "https://10.1.2.3/",
    ]) {
      const checked = await checkEndpointUrl(url, { allow, resolve });
      expect(checked.ok, url).toBe(true);
    }
    // Only what it names: the rest stays refused.
    for (const url of [
      "https://192.168.0.1/",
      "https://169.254.169.254/",
      "http://hooks.example.com/",
    ]) {
      expect((await checkEndpointUrl(url, { allow, resolve })).ok, url).toBe(false);
    }
  });

  it("rejects a malformed allow-list entry, naming it", () => {
    expect(() => parseAllowList("127.0.0.0/8,10.0.0.0/99")).toThrow(/10\.0\.0\.0\/99/);
    expect(() => parseAllowList("under_score!")).toThrow(/under_score!/);
    expect(parseAllowList("none").text).toBe("");
  });
});

describe("SSRF guard at connect time", () => {
  const lookup = (hostname: string, allow = EMPTY_ALLOW_LIST, all = false) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>(
      (done) => {
        guardedLookup(allow, resolve)(hostname, { all }, (error, address) =>
          done({ error, address }),
        );
      },
    );

  it("refuses a name that now resolves inside (DNS rebinding), before connecting", async () => {
    const { error } = await lookup("rebind.test");
    expect(error?.code).toBe(BLOCKED_CODE);
    expect(error?.message).toContain("rebind.test resolves to 127.0.0.1");
    expect((await lookup("mixed.test")).error?.code).toBe(BLOCKED_CODE);
  });

  it("answers public names in both callback shapes, and allowed internal ones", async () => {
    expect(await lookup("hooks.example.com")).toEqual({ error: null, address: "93.184.215.14" });
    expect((await lookup("v6.example.com", EMPTY_ALLOW_LIST, true)).address).toEqual([
      { address: "2606:4700:4700::1111", family: 6 },
    ]);
    expect((await lookup("rebind.test", parseAllowList("127.0.0.0/8"))).error).toBeNull();
  });

  it("checks IP literals and refused names, which sockets do not look up", () => {
    expect(() => checkLiteralHost("127.0.0.1", EMPTY_ALLOW_LIST)).toThrow(/loopback/);
    expect(() => checkLiteralHost("[::ffff:7f00:1]", EMPTY_ALLOW_LIST)).toThrow(/IPv4-mapped/);
    expect(() => checkLiteralHost("metadata.google.internal", EMPTY_ALLOW_LIST)).toThrow(
      /metadata/,
    );
    expect(() => checkLiteralHost("93.184.215.14", EMPTY_ALLOW_LIST)).not.toThrow();
    expect(() => checkLiteralHost("127.0.0.1", parseAllowList(LOOPBACK_TARGETS))).not.toThrow();
  });
});
