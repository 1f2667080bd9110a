// A small JSON reader for plugin configurations. parseJson returns the value or the error with its
// offset; the typed getters return null on a missing key or a wrong type, so a filter can name the
// offending path in its own error message.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  constructor(public readonly kind: JsonKind) {}

  isObject(): bool { return this.kind == JsonKind.Object; }
  isArray(): bool { return this.kind == JsonKind.Array; }
  isString(): bool { return this.kind == JsonKind.String; }
  isNumber(): bool { return this.kind == JsonKind.Number; }
  isBool(): bool { return this.kind == JsonKind.Bool; }

  asObject(): JsonObject | null { return this.kind == JsonKind.Object ? changetype<JsonObject>(this) : null; }
  asArray(): JsonArray | null { return this.kind == JsonKind.Array ? changetype<JsonArray>(this) : null; }
  asString(): JsonString | null { return this.kind == JsonKind.String ? changetype<JsonString>(this) : null; }
  asNumber(): JsonNumber | null { return this.kind == JsonKind.Number ? changetype<JsonNumber>(this) : null; }
  asBool(): JsonBool | null { return this.kind == JsonKind.Bool ? changetype<JsonBool>(this) : null; }
}

export class JsonNull extends JsonValue {
  constructor() { super(JsonKind.Null); }
}

export class JsonBool extends JsonValue {
  constructor(public readonly value: bool) { super(JsonKind.Bool); }
}

export class JsonNumber extends JsonValue {
  constructor(public readonly value: f64) { super(JsonKind.Number); }
}

export class JsonString extends JsonValue {
  constructor(public readonly value: string) { super(JsonKind.String); }
}

export class JsonArray extends JsonValue {
  readonly items: JsonValue[] = new Array<JsonValue>();
  constructor() { super(JsonKind.Array); }
}

export class JsonObject extends JsonValue {
  /** Keys in document order (a repeated key keeps its first position and its last value). */
  readonly keys: string[] = new Array<string>();
  readonly values: Map<string, JsonValue> = new Map<string, JsonValue>();
  constructor() { super(JsonKind.Object); }

  has(key: string): bool { return this.values.has(key); }
  get(key: string): JsonValue | null { return this.values.has(key) ? this.values.get(key) : null; }

  getObject(key: string): JsonObject | null { const v = this.get(key); return v !== null ? v.asObject() : null; }
  getArray(key: string): JsonArray | null { const v = this.get(key); return v !== null ? v.asArray() : null; }
  getString(key: string): string | null {
    const v = this.get(key);
    if (v === null) return null;
    const s = v.asString();
    return s !== null ? s.value : null;
  }
}

export class JsonParseResult {
  constructor(public readonly value: JsonValue | null, public readonly error: string) {}
}

/** A plugin configuration read as a JSON object: the object, or what is wrong with it. */
export class ConfigObject {
  constructor(public readonly object: JsonObject | null, public readonly error: string) {}
}

/** Parses a plugin configuration that must be a JSON object holding only `knownFields`. */
export function parseConfigObject(text: string, knownFields: string[]): ConfigObject {
  const parsed = parseJson(text);
  if (parsed.value === null) return new ConfigObject(null, parsed.error);
  const top = parsed.value!.asObject();
  if (top === null) return new ConfigObject(null, "configuration: expected a JSON object");
  for (let i = 0; i < top.keys.length; i++) {
    if (!knownFields.includes(top.keys[i])) return new ConfigObject(null, top.keys[i] + ": unknown field");
  }
  return new ConfigObject(top, "");
}

/** Parses a whole JSON document. */
export function parseJson(text: string): JsonParseResult {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.parseValue(0);
  if (value !== null) {
    parser.skipSpace();
    if (parser.pos < text.length) parser.fail("unexpected text after the value");
  }
  if (parser.error.length > 0) return new JsonParseResult(null, parser.error);
  return new JsonParseResult(value, "");
}

const MAX_DEPTH = 64;

class Parser {
  pos: i32 = 0;
  error: string = "";
  constructor(public readonly text: string) {}

  fail(message: string): void {
    if (this.error.length == 0) this.error = "invalid JSON at offset " + this.pos.toString() + ": " + message;
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  parseValue(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) { this.fail("nested too deeply"); return null; }
    if (this.pos >= this.text.length) { this.fail("unexpected end"); return null; }
    const c = this.text.charCodeAt(this.pos);
    if (c == 0x7b) return this.parseObject(depth);
    if (c == 0x5b) return this.parseArray(depth);
    if (c == 0x22) {
      const s = this.parseString();
      return s !== null ? new JsonString(s) : null;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.consumeWord("true")) return new JsonBool(true);
    if (this.consumeWord("false")) return new JsonBool(false);
    if (this.consumeWord("null")) return new JsonNull();
    this.fail("unexpected character");
    return null;
  }

  consumeWord(word: string): bool {
    if (this.text.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  parseObject(depth: i32): JsonValue | null {
    const obj = new JsonObject();
    this.pos++; // {
    this.skipSpace();
    if (this.peek() == 0x7d) { this.pos++; return obj; }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) { this.fail("expected a string key"); return null; }
      const key = this.parseString();
      if (key === null) return null;
      this.skipSpace();
      if (this.peek() != 0x3a) { this.fail("expected ':'"); return null; }
      this.pos++;
      this.skipSpace();
      const value = this.parseValue(depth + 1);
      if (value === null) return null;
      if (!obj.values.has(key)) obj.keys.push(key);
      obj.values.set(key, value);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return obj;
      if (c != 0x2c) { this.pos--; this.fail("expected ',' or '}'"); return null; }
    }
  }

  parseArray(depth: i32): JsonValue | null {
    const arr = new JsonArray();
    this.pos++; // [
    this.skipSpace();
    if (this.peek() == 0x5d) { this.pos++; return arr; }
    while (true) {
      this.skipSpace();
      const value = this.parseValue(depth + 1);
      if (value === null) return null;
      arr.items.push(value);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return arr;
      if (c != 0x2c) { this.pos--; this.fail("expected ',' or ']'"); return null; }
    }
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  parseString(): string | null {
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.text.substring(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) { this.fail("control character in string"); return null; }
      if (c != 0x5c) { this.pos++; continue; }
      out += this.text.substring(runStart, this.pos);
      this.pos++;
      const e = this.peek();
      this.pos++;
      if (e == 0x22) out += "\"";
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) {
        const code = this.parseHex4();
        if (code < 0) return null;
        // Surrogate pairs arrive as two escapes; UTF-16 strings take the halves as they are.
        out += String.fromCharCode(code);
      } else { this.pos--; this.fail("bad escape"); return null; }
      runStart = this.pos;
    }
    this.fail("unterminated string");
    return null;
  }

  parseHex4(): i32 {
    if (this.pos + 4 > this.text.length) { this.fail("bad \\u escape"); return -1; }
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charCodeAt(this.pos + i);
      let digit: i32;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
      else { this.fail("bad \\u escape"); return -1; }
      code = (code << 4) | digit;
    }
    this.pos += 4;
    return code;
  }

  parseNumber(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    if (!this.digits()) { this.fail("expected a digit"); return null; }
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) { this.fail("expected a digit after '.'"); return null; }
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (!this.digits()) { this.fail("expected an exponent"); return null; }
    }
    return new JsonNumber(parseFloat(this.text.substring(start, this.pos)));
  }

  digits(): bool {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos > start;
  }
}
