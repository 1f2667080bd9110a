// The acl configuration:
//   { "mode": "deny" | "allow",
//     "rules": [{ "path": { "prefix": "/admin" } }, { "header": { "name": "x-user", "exact": "bob" } }, ...],
//     "deny_response": { "status": 403, "body": "access denied\n" } }
// A rule matches when all of its conditions match (path and/or header). In "deny" mode a matching
// request is denied; in "allow" mode only a matching request passes.
import { JsonObject, parseConfigObject } from "../../sdk";

export enum MatchKind { Exact, Prefix, Present }

export class StringMatch {
  constructor(public readonly kind: MatchKind, public readonly value: string) {}

  matches(text: string): bool {
    if (this.kind == MatchKind.Exact) return text == this.value;
    if (this.kind == MatchKind.Prefix) return text.startsWith(this.value);
    return true;
  }
}

export class HeaderCondition {
  constructor(public readonly name: string, public readonly match: StringMatch) {}
}

export class Rule {
  path: StringMatch | null = null;
  header: HeaderCondition | null = null;
}

export class AclConfig {
  allowMode: bool = false;
  readonly rules: Rule[] = new Array<Rule>();
  denyStatus: u32 = 403;
  denyBody: string = "access denied\n";
  /** Empty when the configuration is valid; else the path and the rule it breaks. */
  error: string = "";
}

export function parseAclConfig(text: string): AclConfig {
  const config = new AclConfig();
  const read = parseConfigObject(text, ["mode", "rules", "deny_response"]);
  if (read.object === null) { config.error = read.error; return config; }
  const top = read.object!;
  if (top.has("mode")) {
    const mode = top.getString("mode");
    if (mode == "allow") config.allowMode = true;
    else if (mode != "deny") { config.error = "mode: expected \"allow\" or \"deny\""; return config; }
  }
  const rules = top.getArray("rules");
  if (rules === null) { config.error = "rules: required array"; return config; }
  for (let i = 0; i < rules.items.length; i++) {
    const at = "rules[" + i.toString() + "]";
    const item = rules.items[i].asObject();
    if (item === null) { config.error = at + ": expected an object"; return config; }
    const rule = new Rule();
    config.error = readRule(item, at, rule);
    if (config.error.length > 0) return config;
    config.rules.push(rule);
  }
  if (top.has("deny_response")) config.error = readDenyResponse(top.getObject("deny_response"), config);
  return config;
}

function readRule(item: JsonObject, at: string, rule: Rule): string {
  for (let i = 0; i < item.keys.length; i++) {
    if (item.keys[i] != "path" && item.keys[i] != "header") return at + "." + item.keys[i] + ": unknown field";
  }
  if (item.has("path")) {
    const path = item.getObject("path");
    if (path === null) return at + ".path: expected { prefix } or { exact }";
    const match = readStringMatch(path, at + ".path", false);
    if (match === null) return at + ".path: expected exactly one of prefix, exact";
    rule.path = match;
  }
  if (item.has("header")) {
    const header = item.getObject("header");
    if (header === null) return at + ".header: expected { name, exact | prefix | present }";
    const name = header.getString("name");
    if (name === null || name.length == 0) return at + ".header.name: required non-empty string";
    const match = readStringMatch(header, at + ".header", true);
    if (match === null) return at + ".header: expected exactly one of exact, prefix, present: true";
    rule.header = new HeaderCondition(name.toLowerCase(), match);
  }
  if (rule.path === null && rule.header === null) return at + ": needs a path or a header condition";
  return "";
}

/** One of exact/prefix (and, for headers, present: true), or null when none or several are given. */
function readStringMatch(obj: JsonObject, at: string, allowPresent: bool): StringMatch | null {
  let found: StringMatch | null = null;
  let count = 0;
  const exact = obj.getString("exact");
  if (exact !== null) { found = new StringMatch(MatchKind.Exact, exact); count++; }
  const prefix = obj.getString("prefix");
  if (prefix !== null) { found = new StringMatch(MatchKind.Prefix, prefix); count++; }
  if (allowPresent && obj.has("present")) {
    const present = obj.get("present")!.asBool();
    if (present === null || !present.value) return null;
    found = new StringMatch(MatchKind.Present, "");
    count++;
  }
  return count == 1 ? found : null;
}

function readDenyResponse(response: JsonObject | null, config: AclConfig): string {
  if (response === null) return "deny_response: expected { status, body }";
  if (response.has("status")) {
    const status = response.get("status")!.asNumber();
    if (status === null || status.value < 200 || status.value > 599 || status.value != Math.floor(status.value)) {
      return "deny_response.status: expected an integer from 200 to 599";
    }
    config.denyStatus = <u32>status.value;
  }
  if (response.has("body")) {
    const body = response.getString("body");
    if (body === null) return "deny_response.body: expected a string";
    config.denyBody = body;
  }
  return "";
}
