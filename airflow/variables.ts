/**
 * Variables and Connections, as Airflow looks them up: first the
 * environment (`AIRFLOW_VAR_<KEY>`, `AIRFLOW_CONN_<CONN_ID>`, upper case),
 * then the state store. A connection in the environment is a URI
 * (`my-conn-type://login:password@host:5432/schema?param1=val1`) or, since
 * Airflow 2.3, a JSON object.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { StateStore } from "./store.ts";

/** Options for {@linkcode Variable.get}. */
export interface VariableGetOptions {
  /**
   * Returned when the variable is not set; without it a missing variable
   * throws.
   * @default {undefined}
   */
  defaultValue?: unknown;
  /**
   * Parse the value as JSON.
   * @default {false}
   */
  deserializeJson?: boolean;
  /**
   * The store to read after the environment.
   * @default {undefined}
   */
  store?: StateStore;
}

function envName(prefix: string, key: string): string {
  return `${prefix}${key.toUpperCase()}`;
}

function readEnv(name: string): string | undefined {
  // Without --allow-env the environment holds nothing for us.
  if (
    Deno.permissions.querySync({ name: "env", variable: name }).state !==
      "granted"
  ) {
    return undefined;
  }
  return Deno.env.get(name);
}

/**
 * Airflow's `Variable`: named values a DAG reads at run time.
 *
 * @example Read a variable from the environment, then from the store
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, Variable } from "./mod.ts";
 * Deno.env.set("AIRFLOW_VAR_REGION", "Taiwan");
 * assert.equal(await Variable.get("region"), "Taiwan");
 * const store = new MemoryStateStore();
 * await Variable.set("limits", { minMag: 4 }, { store });
 * assert.deepEqual(await Variable.get("limits", { store, deserializeJson: true }), { minMag: 4 });
 * assert.equal(await Variable.get("missing", { defaultValue: "none" }), "none");
 * ```
 */
export class Variable {
  /** Not instantiated: use the static methods. */
  private constructor() {}

  /**
   * The variable's value: `AIRFLOW_VAR_<KEY>` if set, else the store's;
   * throws an AirflowError naming the key when neither has it and there is
   * no `defaultValue`.
   */
  static async get(
    key: string,
    options: VariableGetOptions = {},
  ): Promise<unknown> {
    checkKey("Variable", key);
    let text = readEnv(envName("AIRFLOW_VAR_", key));
    if (text === undefined) text = await options.store?.getVariable?.(key);
    if (text === undefined) {
      if ("defaultValue" in options) return options.defaultValue;
      throw new AirflowError(`Variable does not exist: ${key}`);
    }
    if (!options.deserializeJson) return text;
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new AirflowError(`Variable is not valid JSON: ${key}`, { cause });
    }
  }

  /**
   * Stores a variable (a string as is, anything else as JSON), as
   * `airflow variables set`.
   */
  static async set(
    key: string,
    value: unknown,
    options: { store: StateStore },
  ): Promise<void> {
    checkKey("Variable", key);
    const store = options?.store;
    if (!store?.setVariable) {
      throw new AirflowError(`The store cannot keep variables: ${key}`);
    }
    await store.setVariable(
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    );
  }
}

const KEY = /^[A-Za-z0-9_.-]{1,250}$/;

function checkKey(kind: string, key: unknown): void {
  if (typeof key !== "string" || !KEY.test(key)) {
    throw new AirflowError(
      `${kind} key must match [A-Za-z0-9_.-]{1,250}: ${JSON.stringify(key)}`,
    );
  }
}

/** A connection's fields, as Airflow's `Connection`. */
export interface ConnectionFields {
  /** The connection type, e.g. `"postgres"`. */
  connType?: string;
  /** Host name. */
  host?: string;
  /** User name. */
  login?: string;
  /** Password. */
  password?: string;
  /** Schema (the URI's path). */
  schema?: string;
  /** Port. */
  port?: number;
  /** Extra settings (the URI's query). */
  extra?: Record<string, unknown>;
}

/**
 * Airflow's `Connection`: where and how to reach an outside system.
 *
 * @example Parse a connection from the environment
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "./mod.ts";
 * Deno.env.set(
 *   "AIRFLOW_CONN_MY_PROD_DATABASE",
 *   "my-conn-type://login:password@host:5432/schema?param1=val1&param2=val2",
 * );
 * const c = await Connection.get("my_prod_database");
 * assert.deepEqual(
 *   [c.connType, c.login, c.password, c.host, c.port, c.schema, c.extra],
 *   ["my_conn_type", "login", "password", "host", 5432, "schema", { param1: "val1", param2: "val2" }],
 * );
 * ```
 */
export class Connection implements ConnectionFields {
  /** The connection's id. */
  readonly connId: string;
  /** The connection type. */
  readonly connType?: string;
  /** Host name. */
  readonly host?: string;
  /** User name. */
  readonly login?: string;
  /** Password. */
  readonly password?: string;
  /** Schema. */
  readonly schema?: string;
  /** Port. */
  readonly port?: number;
  /** Extra settings. */
  readonly extra: Record<string, unknown>;

  /** Makes a connection from its fields. */
  constructor(connId: string, fields: ConnectionFields = {}) {
    checkKey("Connection", connId);
    this.connId = connId;
    this.connType = fields.connType;
    this.host = fields.host;
    this.login = fields.login;
    this.password = fields.password;
    this.schema = fields.schema;
    this.port = fields.port;
    this.extra = { ...fields.extra };
  }

  /**
   * Parses Airflow's URI form: the scheme is the type (`-` becomes `_`,
   * `postgresql` is `postgres`), user and password are percent-decoded, the
   * path is the schema and the query the extras.
   */
  static fromUri(connId: string, uri: string): Connection {
    let url: URL;
    try {
      url = new URL(uri);
    } catch (cause) {
      throw new AirflowError(`Connection URI is not valid: ${connId}`, {
        cause,
      });
    }
    let type = url.protocol.replace(/:$/, "").replaceAll("-", "_");
    if (type === "postgresql") type = "postgres";
    const extra: Record<string, unknown> = {};
    for (const [k, v] of url.searchParams) extra[k] = v;
    const dec = (s: string) => (s === "" ? undefined : decodeURIComponent(s));
    return new Connection(connId, {
      connType: type,
      host: dec(url.hostname),
      login: dec(url.username),
      password: dec(url.password),
      schema: dec(url.pathname.replace(/^\//, "")),
      port: url.port === "" ? undefined : Number(url.port),
      extra,
    });
  }

  /** Parses the JSON form (`{"conn_type": …, "host": …, "extra": {…}}`). */
  static fromJson(connId: string, text: string): Connection {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(text);
      if (typeof v !== "object" || v === null) throw new Error("not an object");
    } catch (cause) {
      throw new AirflowError(`Connection JSON is not valid: ${connId}`, {
        cause,
      });
    }
    const s = (k: string) => (v[k] === undefined ? undefined : String(v[k]));
    return new Connection(connId, {
      connType: s("conn_type"),
      host: s("host"),
      login: s("login"),
      password: s("password"),
      schema: s("schema"),
      port: v.port === undefined ? undefined : Number(v.port),
      extra: typeof v.extra === "string"
        ? JSON.parse(v.extra)
        : (v.extra as Record<string, unknown> | undefined),
    });
  }

  /**
   * The connection `connId`: `AIRFLOW_CONN_<CONN_ID>` if set, else the
   * store's; throws an AirflowError naming it when neither has it.
   */
  static async get(
    connId: string,
    options: { store?: StateStore } = {},
  ): Promise<Connection> {
    checkKey("Connection", connId);
    const text = readEnv(envName("AIRFLOW_CONN_", connId)) ??
      await options.store?.getConnection?.(connId);
    if (text === undefined) {
      throw new AirflowError(`Connection is not defined: ${connId}`);
    }
    return text.trimStart().startsWith("{")
      ? Connection.fromJson(connId, text)
      : Connection.fromUri(connId, text);
  }

  /** The connection as Airflow's URI form. */
  getUri(): string {
    const enc = encodeURIComponent;
    const auth = this.login === undefined
      ? ""
      : `${enc(this.login)}${
        this.password === undefined ? "" : `:${enc(this.password)}`
      }@`;
    const port = this.port === undefined ? "" : `:${this.port}`;
    const query = new URLSearchParams(
      Object.entries(this.extra).map(([k, v]) => [k, String(v)]),
    ).toString();
    return `${(this.connType ?? "").replaceAll("_", "-")}://${auth}${
      this.host ?? ""
    }${port}/${enc(this.schema ?? "")}${query ? `?${query}` : ""}`;
  }
}
