// The rate_limit configuration (token bucket fields as in Envoy's local rate limit):
//   { "token_bucket": { "max_tokens": 10, "tokens_per_fill": 10, "fill_interval": "1s" },
//     "key_header": "x-api-key",            // optional: one bucket per value of this header
//     "limited_response": { "status": 429, "body": "rate limited\n" } }
import { JsonObject, parseConfigObject } from "../../sdk";

export class RateLimitConfig {
  maxTokens: u32 = 0;
  tokensPerFill: u32 = 0;
  fillIntervalMillis: u32 = 0;
  /** Lower-case header name; "" means one bucket for every request. */
  keyHeader: string = "";
  limitedStatus: u32 = 429;
  limitedBody: string = "rate limited\n";
  /** Empty when the configuration is valid; else the path and the rule it breaks. */
  error: string = "";
}

export function parseRateLimitConfig(text: string): RateLimitConfig {
  const config = new RateLimitConfig();
  const read = parseConfigObject(text, ["token_bucket", "key_header", "limited_response"]);
  if (read.object === null) { config.error = read.error; return config; }
  const top = read.object!;
  const bucket = top.getObject("token_bucket");
  if (bucket === null) { config.error = "token_bucket: required object { max_tokens, tokens_per_fill, fill_interval }"; return config; }
  config.error = readBucket(bucket, config);
  if (config.error.length > 0) return config;
  if (top.has("key_header")) {
    const header = top.getString("key_header");
    if (header === null || header.length == 0) { config.error = "key_header: expected a non-empty header name"; return config; }
    config.keyHeader = header.toLowerCase();
  }
  if (top.has("limited_response")) config.error = readLimitedResponse(top.getObject("limited_response"), config);
  return config;
}

function readBucket(bucket: JsonObject, config: RateLimitConfig): string {
  const max = positiveInteger(bucket, "max_tokens");
  if (max == 0) return "token_bucket.max_tokens: required integer from 1 to 1000000000";
  config.maxTokens = max;
  if (bucket.has("tokens_per_fill")) {
    const perFill = positiveInteger(bucket, "tokens_per_fill");
    if (perFill == 0) return "token_bucket.tokens_per_fill: expected an integer from 1 to 1000000000";
    config.tokensPerFill = perFill;
  } else {
    config.tokensPerFill = 1;
  }
  const interval = bucket.getString("fill_interval");
  if (interval === null) return "token_bucket.fill_interval: required duration such as \"1s\" or \"500ms\"";
  const millis = parseDurationMillis(interval);
  if (millis < 50) return "token_bucket.fill_interval: expected a duration from 50ms to 24h such as \"1s\" or \"500ms\"";
  config.fillIntervalMillis = <u32>millis;
  return "";
}

/** An integer from 1 to 1e9, or 0 when absent or out of range. */
function positiveInteger(obj: JsonObject, key: string): u32 {
  const value = obj.get(key);
  if (value === null) return 0;
  const n = value.asNumber();
  if (n === null || n.value < 1 || n.value > 1e9 || n.value != Math.floor(n.value)) return 0;
  return <u32>n.value;
}

/** A duration as the gateway writes them ("250ms", "1.5s", "1m", "2h") in ms; -1 when malformed or over a day. */
function parseDurationMillis(text: string): f64 {
  let unit: f64 = 0;
  let number = text;
  if (text.endsWith("ms")) { unit = 1; number = text.substring(0, text.length - 2); }
  else if (text.endsWith("s")) { unit = 1000; number = text.substring(0, text.length - 1); }
  else if (text.endsWith("m")) { unit = 60000; number = text.substring(0, text.length - 1); }
  else if (text.endsWith("h")) { unit = 3600000; number = text.substring(0, text.length - 1); }
  if (unit == 0 || number.length == 0) return -1;
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && c != 0x2e) return -1;
  }
  const millis = parseFloat(number) * unit;
  return isNaN(millis) || millis > 86400000 ? -1 : Math.floor(millis);
}

function readLimitedResponse(response: JsonObject | null, config: RateLimitConfig): string {
  if (response === null) return "limited_response: expected { status, body }";
  if (response.has("status")) {
    const status = response.get("status")!.asNumber();
    if (status === null || status.value < 200 || status.value > 599 || status.value != Math.floor(status.value)) {
      return "limited_response.status: expected an integer from 200 to 599";
    }
    config.limitedStatus = <u32>status.value;
  }
  if (response.has("body")) {
    const body = response.getString("body");
    if (body === null) return "limited_response.body: expected a string";
    config.limitedBody = body;
  }
  return "";
}
