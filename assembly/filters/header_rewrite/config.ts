// The header_rewrite configuration, with Envoy's header-manipulation field names:
//   { "request_headers_to_add":  [{ "header": { "key": "x-a", "value": "1" }, "append_action": "..." }],
//     "request_headers_to_remove": ["x-b"], "response_headers_to_add": [...], "response_headers_to_remove": [...] }
import { JsonArray, JsonObject, parseConfigObject } from "../../sdk";

export enum AppendAction { AppendIfExistsOrAdd, AddIfAbsent, OverwriteIfExistsOrAdd, OverwriteIfExists }

export class HeaderToAdd {
  constructor(public readonly key: string, public readonly value: string, public readonly action: AppendAction) {}
}

export class HeaderEdits {
  readonly add: HeaderToAdd[] = new Array<HeaderToAdd>();
  readonly remove: string[] = new Array<string>();
}

export class RewriteConfig {
  readonly request: HeaderEdits = new HeaderEdits();
  readonly response: HeaderEdits = new HeaderEdits();
  /** Empty when the configuration is valid; else the path and the rule it breaks. */
  error: string = "";
}

const KNOWN_FIELDS = ["request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"];

export function parseRewriteConfig(text: string): RewriteConfig {
  const config = new RewriteConfig();
  const read = parseConfigObject(text.length > 0 ? text : "{}", KNOWN_FIELDS);
  if (read.object === null) { config.error = read.error; return config; }
  const top = read.object!;
  config.error = readAdds(top, "request_headers_to_add", config.request);
  if (config.error.length == 0) config.error = readRemoves(top, "request_headers_to_remove", config.request);
  if (config.error.length == 0) config.error = readAdds(top, "response_headers_to_add", config.response);
  if (config.error.length == 0) config.error = readRemoves(top, "response_headers_to_remove", config.response);
  return config;
}

function readAdds(top: JsonObject, field: string, edits: HeaderEdits): string {
  if (!top.has(field)) return "";
  const list = top.getArray(field);
  if (list === null) return field + ": expected an array";
  for (let i = 0; i < list.items.length; i++) {
    const at = field + "[" + i.toString() + "]";
    const item = list.items[i].asObject();
    if (item === null) return at + ": expected an object";
    const header = item.getObject("header");
    if (header === null) return at + ".header: required object { key, value }";
    const key = header.getString("key");
    if (key === null || key.length == 0) return at + ".header.key: required non-empty string";
    if (key.startsWith(":")) return at + ".header.key: pseudo-headers cannot be added";
    const value = header.getString("value");
    if (value === null) return at + ".header.value: required string";
    let action = AppendAction.AppendIfExistsOrAdd;
    if (item.has("append_action")) {
      const name = item.getString("append_action");
      if (name == "APPEND_IF_EXISTS_OR_ADD") action = AppendAction.AppendIfExistsOrAdd;
      else if (name == "ADD_IF_ABSENT") action = AppendAction.AddIfAbsent;
      else if (name == "OVERWRITE_IF_EXISTS_OR_ADD") action = AppendAction.OverwriteIfExistsOrAdd;
      else if (name == "OVERWRITE_IF_EXISTS") action = AppendAction.OverwriteIfExists;
      else return at + ".append_action: expected APPEND_IF_EXISTS_OR_ADD, ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD or OVERWRITE_IF_EXISTS";
    }
    edits.add.push(new HeaderToAdd(key.toLowerCase(), value, action));
  }
  return "";
}

function readRemoves(top: JsonObject, field: string, edits: HeaderEdits): string {
  if (!top.has(field)) return "";
  const list: JsonArray | null = top.getArray(field);
  if (list === null) return field + ": expected an array of header names";
  for (let i = 0; i < list.items.length; i++) {
    const at = field + "[" + i.toString() + "]";
    const name = list.items[i].asString();
    if (name === null || name.value.length == 0) return at + ": expected a non-empty header name";
    if (name.value.startsWith(":")) return at + ": pseudo-headers cannot be removed";
    edits.remove.push(name.value.toLowerCase());
  }
  return "";
}
