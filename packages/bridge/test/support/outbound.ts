/**
 * Every outgoing connection this process starts, seen through Node's diagnostics channels — whatever opens it
 * (the SDK's `fetch`, its node:https transport for custom CAs, anything else): `net.client.socket` for each TCP
 * socket (its DNS lookup and where it connected), and the intended destination from `undici:client:beforeConnect`
 * (fetch) and `http.client.request.start` (node:http/https), so a connection that failed before reaching anyone
 * still names its target. Used to prove the cluster allow-list: the bridge talks to the fake cluster and to
 * nobody else.
 */
import dc from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";

export interface OutboundSocket {
  /** The name looked up in DNS, if any (an IP literal needs none). */
  lookedUp?: string;
  /** Where it connected, once connected. */
  address?: string;
  port?: number;
  connected: boolean;
  error?: string;
}

export interface OutboundTarget {
  via: "fetch" | "node:http";
  host: string;
  port: string;
}

export interface OutboundWatch {
  readonly sockets: readonly OutboundSocket[];
  readonly targets: readonly OutboundTarget[];
  /** Sockets and targets that are not one of the allowed `host:port` origins (a socket that never connected counts). */
  outsiders(allowed: readonly string[]): string[];
  stop(): void;
}

const hostPort = (host: string, port: string | number | undefined) => `${host.replace(/^\[|\]$/g, "")}:${port ?? ""}`;

/** Starts watching; `stop()` unsubscribes. */
export function watchOutbound(): OutboundWatch {
  const sockets: OutboundSocket[] = [];
  const targets: OutboundTarget[] = [];
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    const entry: OutboundSocket = { connected: false };
    sockets.push(entry);
    socket.once("lookup", (_error: Error | null, _address: string, _family: number | string, host: string) => {
      entry.lookedUp = host;
    });
    socket.once("connect", () => {
      entry.connected = true;
      entry.address = socket.remoteAddress;
      entry.port = socket.remotePort;
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      entry.error = error.code ?? error.message;
    });
  };
  const onUndici = (message: unknown) => {
    const { hostname, port, protocol } = (message as { connectParams: { hostname: string; port: string; protocol: string } }).connectParams;
    targets.push({ via: "fetch", host: hostname, port: port || (protocol === "https:" ? "443" : "80") });
  };
  const onHttp = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const [host = "", port = ""] = String(request.getHeader("host") ?? request.host).split(/:(?=\d+$)/);
    targets.push({
      via: "node:http",
      host: host || request.host,
      port: port || String((request as unknown as { agent?: { defaultPort?: number } }).agent?.defaultPort ?? ""),
    });
  };
  dc.subscribe("net.client.socket", onSocket);
  dc.subscribe("undici:client:beforeConnect", onUndici);
  dc.subscribe("http.client.request.start", onHttp);
  return {
    sockets,
    targets,
    outsiders(allowed) {
      const ok = new Set(allowed.map((a) => a.replace(/^\[|\]$/g, "")));
      const out: string[] = [];
      for (const t of targets) if (!ok.has(hostPort(t.host, t.port))) out.push(`${t.via} → ${hostPort(t.host, t.port)}`);
      for (const s of sockets) {
        if (s.lookedUp) out.push(`socket: DNS lookup of ${s.lookedUp}`);
        if (!s.connected) out.push(`socket that never connected (${s.error ?? "no error"})`);
        else if (!ok.has(hostPort(s.address ?? "?", s.port))) out.push(`socket → ${hostPort(s.address ?? "?", s.port)}`);
      }
      return out;
    },
    stop() {
      dc.unsubscribe("net.client.socket", onSocket);
      dc.unsubscribe("undici:client:beforeConnect", onUndici);
      dc.unsubscribe("http.client.request.start", onHttp);
    },
  };
}
