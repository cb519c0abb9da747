/**
 * The API server's request path: route → faults → authentication (401) → authorization (403) → the verb's
 * handler, answering with JSON (or a watch stream, or plain-text logs) and `Status` bodies for failures.
 * Everything the fake cluster exposes (fetch, msw, listen) goes through `ApiServer.handle`.
 */
import { VIRTUAL_CLOCK_HEADER } from "../core/clock.js";
import type { VirtualClock } from "./clock.js";
import { authenticate, grantingRule, isAllowed, type AllowRule, type RequestAttributes, type TokenInfo, type Tokens } from "./auth.js";
import { DroppedConnectionError, type Faults } from "./faults.js";
import { jsonMergePatch, jsonPatch, strategicMergePatch } from "./patch.js";
import type { Random } from "./random.js";
import { apiVersionOf, findResource, GROUP_VERSIONS, RESOURCES, type ResourceType, type Verb } from "./resources.js";
import type { DeleteOptions, Registry, WriteOptions } from "./registry.js";
import { isScalable, replaceScale, scaleOf } from "./scale.js";
import { matchesFields, matchesSelector, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import {
  ApiError,
  badRequest,
  faultStatus,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  routeNotFound,
  statusBody,
  unauthorized,
  unsupportedMediaType,
} from "./status.js";
import type { Store } from "./store.js";
import type { FieldValidation } from "./validation.js";
import { openWatch, type OpenWatch } from "./watch.js";
import { deepCopy, isRecord, rfc3339, type Obj } from "./util.js";

export interface RequestLogEntry {
  seq: number;
  /** Virtual time the request arrived (epoch ms). */
  at: number;
  method: string;
  /** The API path, after the base path (e.g. `/apis/batch/v1/namespaces/lms-dev/jobs`). */
  path: string;
  /** The raw query string without `?` ("" when none). */
  query: string;
  /** HTTP status; 0 when the connection was dropped. */
  status: number;
  user?: string;
  verb?: Verb;
  kind?: string;
  namespace?: string;
  name?: string;
  /** Injected faults that hit this request. */
  faults?: string[];
}

interface LogRequest {
  container: string | undefined;
  previous: boolean;
}

interface ServerContext {
  store: Store;
  registry: Registry;
  clock: VirtualClock;
  faults: Faults;
  tokens: Tokens;
  basePath: string | undefined;
  random: Random;
  /** Runs the simulated controllers until nothing changes at the current time. */
  drain(): void;
  /** Log lines (with their times) of a pod's container; throws ApiError like the kubelet's answers. */
  logs(pod: Obj, request: LogRequest): { at: number; line: string }[];
  version: Obj;
}

interface Route {
  type: "version" | "api-versions" | "api-groups" | "resource-list" | "resource" | "access-review" | "rules-review";
  group: string;
  version: string;
  rt?: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath?: boolean;
}

const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
const BODY_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/cbor"];

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-cache, private", ...headers } });
}

/** Finds the API path in a URL path: after `basePath`, or from the first `/api/`, `/apis/` or `/version`. */
function apiPath(pathname: string, basePath: string | undefined): string | undefined {
  let path = pathname;
  if (basePath) {
    const base = basePath.replace(/\/+$/, "");
    if (path.startsWith(base + "/") || path === base) path = path.slice(base.length) || "/";
  }
  if (/^\/(api|apis|version)(\/|$)/.test(path)) return path.replace(/\/+$/, "") || "/";
  const m = /\/(api|apis)(\/.*)?$|\/version\/?$/.exec(path);
  if (!m) return undefined;
  const found = path.slice(m.index).replace(/\/+$/, "");
  return found;
}

function parseRoute(path: string): Route | undefined {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  if (parts[0] === "version" && parts.length === 1) return { type: "version", group: "", version: "" };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 1) return { type: "api-versions", group: "", version: "" };
    if (parts[1] !== "v1") return undefined;
    group = "";
    version = "v1";
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    if (parts.length === 1) return { type: "api-groups", group: "", version: "" };
    group = parts[1]!;
    version = parts[2] ?? "";
    if (!GROUP_VERSIONS.some((gv) => gv.group === group && gv.version === version)) return undefined;
    rest = parts.slice(3);
  } else return undefined;
  if (rest.length === 0) return { type: "resource-list", group, version };
  if (group === "authorization.k8s.io") {
    if (rest.length === 1 && rest[0] === "selfsubjectaccessreviews") return { type: "access-review", group, version };
    if (rest.length === 1 && rest[0] === "selfsubjectrulesreviews") return { type: "rules-review", group, version };
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  const route: Route = { type: "resource", group, version, watchPath };
  if (rest[0] === "namespaces" && rest.length >= 3) {
    route.namespace = rest[1]!;
    route.rt = findResource(group, version, rest[2]!);
    route.name = rest[3];
    route.subresource = rest[4];
    if (rest.length > 5) return undefined;
    // /api/v1/namespaces/{name}/status|finalize
    if (!route.rt && group === "" && (rest[2] === "status" || rest[2] === "finalize") && rest.length === 3) {
      return { type: "resource", group, version, rt: findResource("", "v1", "namespaces")!, name: rest[1]!, subresource: rest[2] };
    }
  } else {
    route.rt = findResource(group, version, rest[0]!);
    route.name = rest[1];
    route.subresource = rest[2];
    if (rest.length > 3) return undefined;
    if (route.rt?.namespaced && route.name !== undefined) return undefined;
  }
  if (!route.rt) return undefined;
  if (!route.rt.namespaced && route.namespace !== undefined) return undefined;
  return route;
}

function verbOf(method: string, route: Route, watch: boolean): Verb | undefined {
  const named = route.name !== undefined;
  switch (method) {
    case "GET":
    case "HEAD":
      return named ? (watch ? "watch" : "get") : watch ? "watch" : "list";
    case "POST":
      return named ? undefined : "create";
    case "PUT":
      return named ? "update" : undefined;
    case "PATCH":
      return named ? "patch" : undefined;
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}

function isTrue(value: string | null): boolean {
  return value === "1" || value === "true";
}

function stripTypeMeta(obj: Obj): Obj {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return rest;
}

function parseBody(text: string, what: "object" | "patch", contentType: string): unknown {
  if (text.trim() === "")
    throw badRequest(what === "patch" ? "the body of the request was empty" : "the body of the request was empty; expected a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (contentType.includes("yaml")) throw badRequest(`error decoding YAML: the fake cluster accepts JSON (a YAML subset) only: ${reason}`);
    throw badRequest(`couldn't get version/kind; json parse error: ${reason}`);
  }
}

/** A resourceVersion parameter as the storage layer parses it (a decimal etcd revision); the error text otherwise. */
function parseResourceVersion(value: string): number | string {
  if (/^\d+$/.test(value)) return Number(value);
  return `resourceVersion: Invalid value: ${JSON.stringify(value)}: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`;
}

/** How long a list with a resourceVersion newer than the store waits for it before giving up (the watch cache's 3 s). */
const TOO_LARGE_RESOURCE_VERSION_WAIT_MS = 3000;

function intParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: "${value}" is not an integer`);
  return n;
}

export class ApiServer {
  readonly requestLog: RequestLogEntry[] = [];
  private seq = 0;
  private readonly watches = new Set<OpenWatch>();
  private closed = false;

  constructor(private readonly ctx: ServerContext) {}

  clearRequestLog(): void {
    this.requestLog.length = 0;
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.watches]) w.close();
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const entry: RequestLogEntry = { seq: ++this.seq, at: this.ctx.clock.now(), method, path: url.pathname, query: url.search.replace(/^\?/, ""), status: 0 };
    this.requestLog.push(entry);
    let release = this.ctx.clock.hold();
    try {
      const path = apiPath(url.pathname, this.ctx.basePath);
      if (path !== undefined) entry.path = path;
      const route = path === undefined ? undefined : parseRoute(path);
      const watch = route?.type === "resource" && (route.watchPath === true || isTrue(url.searchParams.get("watch")));
      const verb = route ? (route.type === "resource" ? verbOf(method, route, watch) : method === "POST" ? "create" : "get") : undefined;
      if (route?.rt) {
        entry.kind = route.rt.kind;
        if (route.namespace !== undefined) entry.namespace = route.namespace;
        if (route.name !== undefined) entry.name = route.name;
      }
      if (verb) entry.verb = verb;

      const decision = this.ctx.faults.evaluate({
        method,
        path: entry.path,
        watch,
        ...(route?.rt ? { kind: route.rt.kind } : {}),
        ...(verb ? { verb } : {}),
        ...(route?.namespace !== undefined ? { namespace: route.namespace } : {}),
      });
      if (decision.fired.length > 0) entry.faults = decision.fired;
      if (decision.latencyMs > 0) {
        release();
        await this.ctx.clock.sleep(decision.latencyMs, request.signal);
        release = this.ctx.clock.hold();
      }
      const action = decision.action;
      if (action?.type === "drop") throw new DroppedConnectionError();
      if (action?.type === "status") {
        const error = faultStatus(action.code, action.reason, action.retryAfterSeconds);
        return this.finish(entry, jsonResponse(error.status.code, error.status, error.headers));
      }

      let response: Response;
      try {
        const identity = authenticate(request.headers.get("authorization"), this.ctx.tokens);
        if (identity === null || (identity === undefined && route?.type !== "version")) throw unauthorized();
        if (identity) entry.user = identity.info.user;
        if (!route) {
          if (isUnknownGroupPath(path)) return this.finish(entry, pageNotFound());
          throw routeNotFound();
        }
        this.ctx.drain();
        // Lets the clock run while the request waits on it (an auto clock does not jump while a request holds it).
        const idle = async (fn: () => Promise<void>): Promise<void> => {
          release();
          try {
            await fn();
          } finally {
            release = this.ctx.clock.hold();
          }
        };
        response = await this.dispatch(
          request,
          url,
          route,
          verb,
          watch,
          identity?.info.user ?? "system:anonymous",
          identity ? identity.info : undefined,
          action?.type === "silent-watch",
          idle,
        );
        this.ctx.drain();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        response = jsonResponse(error.status.code, error.status, error.headers);
      }
      if (action?.type === "drop-after-write") throw new DroppedConnectionError();
      return this.finish(entry, response);
    } finally {
      release();
    }
  }

  private finish(entry: RequestLogEntry, response: Response): Response {
    entry.status = response.status;
    response.headers.set("Audit-Id", this.ctx.random.uuid());
    // Clients on another clock stop at once (the SDK's transport checks it) instead of waiting in real time.
    const virtual = this.ctx.clock.virtualClockId;
    if (virtual !== undefined) response.headers.set(VIRTUAL_CLOCK_HEADER, virtual);
    return response;
  }

  private async dispatch(
    request: Request,
    url: URL,
    route: Route,
    verb: Verb | undefined,
    watch: boolean,
    user: string,
    token: TokenInfo | undefined,
    silent: boolean,
    idle: (fn: () => Promise<void>) => Promise<void>,
  ): Promise<Response> {
    switch (route.type) {
      case "version":
        return jsonResponse(200, this.ctx.version);
      case "api-versions":
        return jsonResponse(200, {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "10.66.139.10:6443" }],
        });
      case "api-groups":
        return jsonResponse(200, {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: GROUP_VERSIONS.map(({ group, version }) => ({
            name: group,
            versions: [{ groupVersion: `${group}/${version}`, version }],
            preferredVersion: { groupVersion: `${group}/${version}`, version },
          })),
        });
      case "resource-list":
        return jsonResponse(200, this.resourceList(route.group, route.version));
      case "access-review":
      case "rules-review":
        if (request.method !== "POST") throw methodNotAllowed();
        return this.review(route.type, await request.text(), user, token);
    }
    const rt = route.rt!;
    if (!verb) throw methodNotAllowed();
    // A request for one namespace (`/api/v1/namespaces/lms-dev`) is in that namespace, for RBAC's RoleBindings.
    const attrNamespace = route.namespace ?? (rt.kind === "Namespace" ? route.name : undefined);
    const attrs: RequestAttributes = {
      verb,
      group: rt.group,
      resource: rt.plural,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(attrNamespace !== undefined ? { namespace: attrNamespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
    };
    if (token && !isAllowed(token, attrs)) throw forbidden(user, verb, rt, attrNamespace, route.name, route.subresource);
    const params = url.searchParams;

    if (route.subresource !== undefined) return this.subresource(request, route, verb, params);
    if (watch) return this.watch(request, route, params, silent);
    switch (verb) {
      case "get":
        return jsonResponse(200, this.ctx.registry.get(rt, route.namespace, route.name!));
      case "list":
        await this.waitForResourceVersion(params, request.signal, idle);
        return jsonResponse(200, this.list(rt, route.namespace, params));
      case "create":
        return this.write(request, params, async (options) => {
          const body = parseBody(await request.text(), "object", request.headers.get("content-type") ?? "");
          const created = this.ctx.registry.create(rt, route.namespace, body, options);
          return { status: 201, body: created };
        });
      case "update":
        return this.write(request, params, async (options) => {
          const body = parseBody(await request.text(), "object", request.headers.get("content-type") ?? "");
          return { status: 200, body: this.ctx.registry.replace(rt, route.namespace, route.name!, body, options) };
        });
      case "patch":
        return this.patch(request, route, params);
      case "delete":
        return this.delete(request, route, params);
      case "deletecollection":
        return this.deleteCollection(request, route, params);
      default:
        throw methodNotAllowed();
    }
  }

  private resourceList(group: string, version: string): Obj {
    const groupVersion = group === "" ? version : `${group}/${version}`;
    const resources: Obj[] = [];
    if (group === "authorization.k8s.io") {
      for (const [name, kind] of [
        ["selfsubjectaccessreviews", "SelfSubjectAccessReview"],
        ["selfsubjectrulesreviews", "SelfSubjectRulesReview"],
      ] as const) {
        resources.push({ name, singularName: kind.toLowerCase(), namespaced: false, kind, verbs: ["create"] });
      }
    }
    for (const rt of RESOURCES.filter((r) => r.group === group && r.version === version)) {
      const entry: Obj = { name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: [...rt.verbs] };
      if (rt.shortNames.length > 0) entry.shortNames = [...rt.shortNames];
      resources.push(entry);
      if (rt.statusSubresource)
        resources.push({ name: `${rt.plural}/status`, singularName: "", namespaced: rt.namespaced, kind: rt.kind, verbs: ["get", "patch", "update"] });
      if (rt.kind === "Pod") resources.push({ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
      if (isScalable(rt)) {
        resources.push({
          name: `${rt.plural}/scale`,
          singularName: "",
          namespaced: true,
          group: "autoscaling",
          version: "v1",
          kind: "Scale",
          verbs: ["get", "patch", "update"],
        });
      }
    }
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
  }

  private review(type: "access-review" | "rules-review", text: string, user: string, token: TokenInfo | undefined): Response {
    const body = parseBody(text, "object", "application/json");
    const kind = type === "access-review" ? "SelfSubjectAccessReview" : "SelfSubjectRulesReview";
    if (!isRecord(body) || body.kind !== kind) throw badRequest(`the object provided is unrecognized (must be of type ${kind})`);
    const spec: Obj = isRecord(body.spec) ? body.spec : {};
    const info: TokenInfo = token ?? { user };
    if (type === "access-review") {
      const attrs = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
      if (!attrs && !isRecord(spec.nonResourceAttributes)) {
        // The real validation builds this error without a kind: `.authorization.k8s.io "" is invalid: …`.
        throw invalid({ kind: "", group: "authorization.k8s.io" }, "", [
          {
            reason: "FieldValueInvalid",
            message: "Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified",
            field: "spec.resourceAttributes",
          },
        ]);
      }
      let allowed = true;
      let granted: AllowRule | undefined;
      let namespace: string | undefined;
      if (attrs) {
        namespace = attrs.namespace ? String(attrs.namespace) : undefined;
        const request: RequestAttributes = {
          verb: String(attrs.verb ?? ""),
          group: String(attrs.group ?? ""),
          resource: String(attrs.resource ?? ""),
          ...(attrs.subresource ? { subresource: String(attrs.subresource) } : {}),
          ...(namespace !== undefined ? { namespace } : {}),
        };
        allowed = isAllowed(info, request);
        granted = grantingRule(info, request);
      }
      // A denial carries no reason (RBAC says nothing); an allowance names the binding that allowed it.
      const status: Obj = { allowed };
      if (allowed)
        status.reason = granted
          ? rbacReason(user, granted, namespace)
          : `RBAC: allowed by ClusterRoleBinding "${user}-binding" of ClusterRole "cluster-admin" to User "${user}"`;
      return jsonResponse(201, { kind, apiVersion: "authorization.k8s.io/v1", metadata: {}, spec, status });
    }
    const namespace = typeof spec.namespace === "string" ? spec.namespace : undefined;
    // Every authenticated user may review itself (system:basic-user).
    const selfRules: Obj[] = [
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
    ];
    const resourceRules: Obj[] = [];
    const verbs: Verb[] = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    const deny = info.deny ?? [];
    if (deny.length === 0 && info.allow === undefined) resourceRules.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
    else if (deny.length === 0) {
      // RBAC lists the rules of the bindings that apply in the namespace, as they are.
      resourceRules.push(...selfRules);
      for (const rule of info.allow ?? []) {
        if (rule.namespaces !== undefined && (namespace === undefined || !rule.namespaces.includes(namespace))) continue;
        resourceRules.push({ verbs: [...rule.verbs], apiGroups: [...rule.apiGroups], resources: [...rule.resources] });
      }
    } else {
      for (const rt of RESOURCES) {
        const allowedVerbs = verbs.filter((verb) => isAllowed(info, { verb, group: rt.group, resource: rt.plural, ...(namespace ? { namespace } : {}) }));
        if (allowedVerbs.length > 0) resourceRules.push({ verbs: allowedVerbs, apiGroups: [rt.group], resources: [rt.plural] });
      }
      resourceRules.push(...selfRules);
    }
    const nonResourceRules = [
      {
        verbs: ["get"],
        nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
      },
    ];
    return jsonResponse(201, {
      kind,
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec,
      status: { resourceRules, nonResourceRules, incomplete: false },
    });
  }

  /**
   * A list at a resourceVersion: an unparsable one is a 400; one newer than anything written waits a while for it
   * (the watch cache does), then fails with 504 Timeout and a ResourceVersionTooLarge cause.
   */
  private async waitForResourceVersion(params: URLSearchParams, signal: AbortSignal, idle: (fn: () => Promise<void>) => Promise<void>): Promise<void> {
    const value = params.get("resourceVersion");
    if (value === null || value === "") return;
    const rv = parseResourceVersion(value);
    if (typeof rv === "string") throw badRequest(`invalid resource version: ${rv}`);
    if (rv <= this.ctx.store.resourceVersion) return;
    await idle(() => this.ctx.clock.sleep(TOO_LARGE_RESOURCE_VERSION_WAIT_MS, signal));
    this.ctx.drain();
    if (rv <= this.ctx.store.resourceVersion) return;
    throw new ApiError(
      statusBody(504, "Timeout", `Timeout: Too large resource version: ${rv}, current: ${this.ctx.store.resourceVersion}`, {
        causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        retryAfterSeconds: 1,
      }),
      { "Retry-After": "1" },
    );
  }

  private list(rt: ResourceType, namespace: string | undefined, params: URLSearchParams): Obj {
    const labels = parseLabelSelector(params.get("labelSelector"));
    const fields = parseFieldSelector(params.get("fieldSelector"), rt.kind);
    let items = this.ctx.store.list(rt, namespace).filter((obj) => matchesSelector(labels, obj.metadata?.labels) && matchesFields(fields, obj));
    const limit = intParam(params, "limit");
    const token = params.get("continue");
    const metadata: Obj = { resourceVersion: String(this.ctx.store.resourceVersion) };
    if (token) {
      let start: string;
      try {
        start = String((JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { start?: string }).start ?? "");
      } catch {
        throw badRequest("continue key is not valid: illegal base64 data at input byte 0");
      }
      items = items.filter((obj) => `${obj.metadata.namespace ?? ""}/${obj.metadata.name}` > start);
    }
    // resourceVersion=0 is served from the watch cache, which does not paginate: limit is ignored.
    if (limit !== undefined && limit > 0 && items.length > limit && params.get("resourceVersion") !== "0") {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1]!;
      metadata.continue = Buffer.from(
        JSON.stringify({ v: "meta.k8s.io/v1", rv: this.ctx.store.resourceVersion, start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` }),
      ).toString("base64");
      metadata.remainingItemCount = remaining;
    }
    // Items of a typed list carry no kind/apiVersion of their own (only the list does).
    return { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata, items: items.map(stripTypeMeta) };
  }

  private watch(request: Request, route: Route, params: URLSearchParams, silent: boolean): Response {
    if (this.closed) throw new ApiError(statusBody(503, "ServiceUnavailable", "the fake cluster is closed"));
    const rt = route.rt!;
    let fieldSelector = params.get("fieldSelector");
    if (route.name !== undefined) fieldSelector = [`metadata.name=${route.name}`, fieldSelector].filter(Boolean).join(",");
    const timeout = intParam(params, "timeoutSeconds");
    const rv = params.get("resourceVersion");
    if (rv !== null && rv !== "") {
      const parsed = parseResourceVersion(rv);
      // Refused before the stream starts, as an error the server does not classify (500, no reason).
      if (typeof parsed === "string") throw new ApiError(statusBody(500, "", parsed));
    }
    let w: OpenWatch | undefined = undefined;
    let ended = false;
    w = openWatch(
      { store: this.ctx.store, clock: this.ctx.clock, random: this.ctx.random },
      {
        rt,
        namespace: route.namespace,
        labelSelector: parseLabelSelector(params.get("labelSelector")),
        fieldSelector: parseFieldSelector(fieldSelector, rt.kind),
        resourceVersion: params.get("resourceVersion") ?? undefined,
        timeoutSeconds: timeout,
        allowBookmarks: isTrue(params.get("allowWatchBookmarks")),
        sendInitialEvents: isTrue(params.get("sendInitialEvents")),
        silent,
        signal: request.signal,
      },
      () => {
        ended = true;
        if (w) this.watches.delete(w);
      },
    );
    if (!ended) this.watches.add(w);
    return new Response(w.stream, { status: 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-cache, private" } });
  }

  private writeOptions(params: URLSearchParams, request: Request): WriteOptions {
    const dryRun = params.getAll("dryRun");
    for (const value of dryRun) {
      if (value !== "All")
        throw invalid({ kind: "CreateOptions", group: "meta.k8s.io" }, "", [
          { reason: "FieldValueNotSupported", message: `Unsupported value: "${value}": supported values: "All"`, field: "dryRun" },
        ]);
    }
    const validation = params.get("fieldValidation");
    if (validation !== null && !["Strict", "Warn", "Ignore"].includes(validation)) {
      throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict" (got "${validation}")`);
    }
    const agent = request.headers.get("user-agent") ?? "";
    // Without fieldManager the API server names the manager after the User-Agent's product (before "/").
    const manager = params.get("fieldManager") ?? (agent !== "" ? agent.split("/")[0]! : "unknown");
    return { manager, dryRun: dryRun.length > 0, fieldValidation: (validation ?? "Warn") as FieldValidation, warnings: [] };
  }

  private async write(request: Request, params: URLSearchParams, run: (options: WriteOptions) => Promise<{ status: number; body: Obj }>): Promise<Response> {
    const options = this.writeOptions(params, request);
    const contentType = (request.headers.get("content-type") ?? "application/json").split(";")[0]!.trim().toLowerCase();
    if (!BODY_TYPES.includes(contentType)) throw unsupportedMediaType(BODY_TYPES);
    if (contentType !== "application/json" && contentType !== "application/yaml") throw unsupportedMediaType(["application/json", "application/yaml"]);
    const { status, body } = await run(options);
    return jsonResponse(status, body, this.warningHeaders(options.warnings ?? []));
  }

  private warningHeaders(warnings: string[]): Record<string, string> {
    if (warnings.length === 0) return {};
    return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
  }

  private async patch(request: Request, route: Route, params: URLSearchParams, subresource?: "status"): Promise<Response> {
    const rt = route.rt!;
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
    const options = this.writeOptions(params, request);
    if (subresource) options.subresource = subresource;
    const apply = contentType === "application/apply-patch+yaml";
    const force = params.get("force");
    if (!apply && force !== null) {
      throw invalid({ kind: "PatchOptions", group: "meta.k8s.io" }, "", [
        { reason: "FieldValueForbidden", message: "Forbidden: may not be specified for non-apply patch", field: "force" },
      ]);
    }
    const patchBody = parseBody(await request.text(), "patch", contentType);
    if (apply) {
      const manager = params.get("fieldManager");
      if (manager === null || manager === "") {
        throw invalid({ kind: "PatchOptions", group: "meta.k8s.io" }, "", [
          { reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" },
        ]);
      }
      const existed = this.ctx.store.get(rt, route.namespace, route.name!) !== undefined;
      const result = this.ctx.registry.apply(rt, route.namespace, route.name!, patchBody, { ...options, manager, force: isTrue(force) });
      return jsonResponse(existed ? 200 : 201, result, this.warningHeaders(options.warnings ?? []));
    }
    const old = this.ctx.registry.get(rt, route.namespace, route.name!);
    let patched: unknown;
    if (contentType === "application/json-patch+json") patched = jsonPatch(old, patchBody);
    else if (!isRecord(patchBody)) throw badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
    else if (contentType === "application/merge-patch+json") patched = jsonMergePatch(old, patchBody);
    else patched = strategicMergePatch(old, patchBody);
    if (!isRecord(patched)) throw badRequest("the patch produced something that is not an object");
    // A patch that mentions resourceVersion makes it a precondition; otherwise it applies to the latest.
    const patchedMeta: Obj = isRecord(patched.metadata) ? patched.metadata : (patched.metadata = {});
    const patchMeta = isRecord(patchBody) && isRecord(patchBody.metadata) ? patchBody.metadata : undefined;
    if (!(patchMeta && "resourceVersion" in patchMeta)) patchedMeta.resourceVersion = old.metadata.resourceVersion;
    if (contentType !== "application/json-patch+json" && patchMeta && "managedFields" in patchMeta && patchMeta.managedFields === null)
      patchedMeta.managedFields = [];
    const result = this.ctx.registry.update(rt, old, patched, options);
    return jsonResponse(200, result, this.warningHeaders(options.warnings ?? []));
  }

  private async deleteOptions(request: Request, params: URLSearchParams): Promise<DeleteOptions> {
    const text = await request.text();
    let body: Obj = {};
    if (text.trim() !== "") {
      const parsed = parseBody(text, "object", "application/json");
      if (isRecord(parsed)) body = parsed;
    }
    const options: DeleteOptions = {};
    const policy = params.get("propagationPolicy") ?? body.propagationPolicy;
    if (policy !== undefined && policy !== null) {
      if (!["Background", "Foreground", "Orphan"].includes(String(policy))) {
        throw invalid({ kind: "DeleteOptions", group: "meta.k8s.io" }, "", [
          {
            reason: "FieldValueNotSupported",
            message: `Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
            field: "propagationPolicy",
          },
        ]);
      }
      options.propagationPolicy = policy as DeleteOptions["propagationPolicy"] & string;
    }
    const orphan = params.get("orphanDependents") ?? body.orphanDependents;
    if (orphan !== undefined && orphan !== null) {
      options.orphanDependents = String(orphan) === "true";
      if (options.propagationPolicy === undefined) options.propagationPolicy = options.orphanDependents ? "Orphan" : "Background";
    }
    const grace = intParam(params, "gracePeriodSeconds") ?? (typeof body.gracePeriodSeconds === "number" ? body.gracePeriodSeconds : undefined);
    if (grace !== undefined) options.gracePeriodSeconds = grace;
    if (isRecord(body.preconditions)) options.preconditions = deepCopy(body.preconditions);
    if (params.getAll("dryRun").includes("All") || (Array.isArray(body.dryRun) && body.dryRun.includes("All"))) options.dryRun = true;
    return options;
  }

  private async delete(request: Request, route: Route, params: URLSearchParams): Promise<Response> {
    const options = await this.deleteOptions(request, params);
    const result = this.ctx.registry.delete(route.rt!, route.namespace, route.name!, options);
    // 202 only for the legacy `orphanDependents=false` when the object stays (the REST handler's compatibility
    // rule); a Foreground propagationPolicy answers 200 with the object, its deletionTimestamp and finalizer set.
    const accepted = !result.deleted && options.orphanDependents === false;
    return jsonResponse(accepted ? 202 : 200, result.body, this.warningHeaders(deleteWarnings(route.rt!, options)));
  }

  private async deleteCollection(request: Request, route: Route, params: URLSearchParams): Promise<Response> {
    const rt = route.rt!;
    const options = await this.deleteOptions(request, params);
    const listed = this.list(rt, route.namespace, params);
    const items: Obj[] = [];
    for (const item of listed.items as Obj[]) {
      try {
        const result = this.ctx.registry.delete(rt, item.metadata.namespace, item.metadata.name, options);
        if (!result.deleted || result.body.kind !== "Status") items.push(stripTypeMeta(result.body.kind === "Status" ? item : result.body));
        else items.push(stripTypeMeta(item));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status.code !== 404) throw error;
      }
    }
    return jsonResponse(
      200,
      { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(this.ctx.store.resourceVersion) }, items },
      this.warningHeaders(deleteWarnings(rt, options)),
    );
  }

  /** `…/deployments/{name}/scale`: GET, PUT and the non-apply patches of the Scale view. */
  private async scale(request: Request, route: Route, verb: Verb, params: URLSearchParams): Promise<Response> {
    const rt = route.rt!;
    const name = route.name!;
    if (verb === "get") return jsonResponse(200, scaleOf(this.ctx.registry.get(rt, route.namespace, name)));
    if (verb === "update") {
      return this.write(request, params, async (options) => {
        const body = parseBody(await request.text(), "object", request.headers.get("content-type") ?? "");
        return { status: 200, body: replaceScale(this.ctx.registry, rt, route.namespace, name, body, options) };
      });
    }
    if (verb !== "patch") throw methodNotAllowed();
    // Server-side apply of a Scale is not simulated: the fake takes the three other patch types.
    const types = PATCH_TYPES.filter((t) => t !== "application/apply-patch+yaml");
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!types.includes(contentType)) throw unsupportedMediaType(types);
    const options = this.writeOptions(params, request);
    const patchBody = parseBody(await request.text(), "patch", contentType);
    const scale = scaleOf(this.ctx.registry.get(rt, route.namespace, name));
    let patched: unknown;
    if (contentType === "application/json-patch+json") patched = jsonPatch(scale, patchBody);
    else if (!isRecord(patchBody)) throw badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
    else patched = contentType === "application/merge-patch+json" ? jsonMergePatch(scale, patchBody) : strategicMergePatch(scale, patchBody);
    const patchMeta = isRecord(patchBody) && isRecord(patchBody.metadata) ? patchBody.metadata : undefined;
    // A patch applies to the latest version unless it names a resourceVersion.
    if (isRecord(patched) && isRecord(patched.metadata) && !(patchMeta && "resourceVersion" in patchMeta)) delete patched.metadata.resourceVersion;
    return jsonResponse(200, replaceScale(this.ctx.registry, rt, route.namespace, name, patched, options), this.warningHeaders(options.warnings ?? []));
  }

  private async subresource(request: Request, route: Route, verb: Verb, params: URLSearchParams): Promise<Response> {
    const rt = route.rt!;
    const sub = route.subresource!;
    if (sub === "status" && rt.statusSubresource) {
      if (verb === "get") return jsonResponse(200, this.ctx.registry.get(rt, route.namespace, route.name!));
      if (verb === "patch") return this.patch(request, route, params, "status");
      if (verb === "update") {
        return this.write(request, params, async (options) => {
          const body = parseBody(await request.text(), "object", request.headers.get("content-type") ?? "");
          return { status: 200, body: this.ctx.registry.replace(rt, route.namespace, route.name!, body, { ...options, subresource: "status" }) };
        });
      }
      throw methodNotAllowed();
    }
    if (sub === "scale" && isScalable(rt)) return this.scale(request, route, verb, params);
    if (sub === "log" && rt.kind === "Pod") {
      if (verb !== "get") throw methodNotAllowed();
      const pod = this.ctx.store.get(rt, route.namespace, route.name!);
      if (!pod) throw notFound(rt, route.name!);
      const lines = this.ctx.logs(pod, { container: params.get("container") ?? undefined, previous: isTrue(params.get("previous")) });
      let selected = lines;
      const sinceSeconds = intParam(params, "sinceSeconds");
      if (sinceSeconds !== undefined) selected = selected.filter((l) => l.at >= this.ctx.clock.now() - sinceSeconds * 1000);
      const tail = intParam(params, "tailLines");
      if (tail !== undefined && tail >= 0) selected = selected.slice(Math.max(0, selected.length - tail));
      const timestamps = isTrue(params.get("timestamps"));
      let text = selected.map((l) => `${timestamps ? `${new Date(l.at).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z")} ` : ""}${l.line}\n`).join("");
      const limitBytes = intParam(params, "limitBytes");
      if (limitBytes !== undefined && limitBytes > 0) text = Buffer.from(text).subarray(0, limitBytes).toString("utf8");
      return new Response(text, { status: 200, headers: { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" } });
    }
    if (rt.kind === "Namespace" && sub === "finalize" && verb === "update") {
      return this.write(request, params, async (options) => {
        const body = parseBody(await request.text(), "object", request.headers.get("content-type") ?? "");
        return { status: 200, body: this.ctx.registry.replace(rt, undefined, route.name!, body, options) };
      });
    }
    throw routeNotFound();
  }
}

/**
 * batch/v1 Jobs orphan their pods unless told otherwise (resources.ts defaultPropagation), and the Job registry warns
 * about it when the request says nothing.
 */
function deleteWarnings(rt: ResourceType, options: DeleteOptions): string[] {
  if (rt.kind !== "Job" || options.propagationPolicy !== undefined || options.orphanDependents !== undefined) return [];
  return [
    "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning",
  ];
}

/** A path outside every API group the server has: its mux's plain-text answer, not a Status. */
function isUnknownGroupPath(path: string | undefined): boolean {
  if (path === undefined) return true;
  const parts = path.split("/").filter((p) => p !== "");
  return parts[0] === "apis" && parts.length >= 2 && !GROUP_VERSIONS.some((gv) => gv.group === parts[1]);
}

function pageNotFound(): Response {
  return new Response("404 page not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
}

/** `RBAC: allowed by RoleBinding "sreda-edit/lms-dev" of ClusterRole "edit" to ServiceAccount "sreda-edit/sreda-system"`. */
function rbacReason(user: string, rule: AllowRule, namespace: string | undefined): string {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  const subject = sa ? `ServiceAccount "${sa[2]}/${sa[1]}"` : `User "${user}"`;
  const bindingName = sa ? sa[2]! : user;
  const role = rule.role ?? "fake-role";
  const binding =
    rule.namespaces !== undefined && namespace !== undefined ? `RoleBinding "${bindingName}/${namespace}"` : `ClusterRoleBinding "${bindingName}"`;
  return `RBAC: allowed by ${binding} of ClusterRole "${role}" to ${subject}`;
}

export function defaultVersionInfo(): Obj {
  return {
    major: "1",
    minor: "35",
    emulationMajor: "1",
    emulationMinor: "35",
    minCompatibilityMajor: "1",
    minCompatibilityMinor: "34",
    gitVersion: "v1.35.0+rke2r1",
    gitCommit: "66452049f3d692768c39c797b21b793dce80314e",
    gitTreeState: "clean",
    buildDate: rfc3339(Date.UTC(2025, 11, 17, 12, 0, 0)),
    goVersion: "go1.25.5 X:boringcrypto",
    compiler: "gc",
    platform: "linux/amd64",
  };
}
