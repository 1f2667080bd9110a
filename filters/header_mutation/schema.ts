// The config of header_mutation: the header fields of Envoy's route configuration
// (request_headers_to_add/remove, response_headers_to_add/remove) as a filter, with substitution
// operators in values.
import type { JsonSchema } from '../../sdk/filter.js';
import { arrayOf, object, withDefault } from '../../sdk/json-schema.js';
import { HEADER_NAME_PATTERN } from '../../sdk/match-schema.js';

export type AppendAction = 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';

export interface HeaderValueOption {
  header: { key: string; value: string };
  append_action: AppendAction; // default APPEND_IF_EXISTS_OR_ADD
  /** Add the header even when its value comes out empty (default false: it is left out, as in Envoy). */
  keep_empty_value: boolean;
}

export interface HeaderMutationConfig {
  request_headers_to_add: HeaderValueOption[];
  request_headers_to_remove: string[];
  response_headers_to_add: HeaderValueOption[];
  response_headers_to_remove: string[];
}

const headerName: JsonSchema = { type: 'string', pattern: HEADER_NAME_PATTERN };

const headerValueOption = object(
  {
    header: object({ key: headerName, value: { type: 'string' } }, ['key', 'value']),
    append_action: {
      enum: ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'],
      default: 'APPEND_IF_EXISTS_OR_ADD',
    },
    keep_empty_value: withDefault({ type: 'boolean' }, false),
  },
  ['header'],
);

export const headerMutationSchema: JsonSchema = object({
  request_headers_to_add: withDefault(arrayOf(headerValueOption), []),
  request_headers_to_remove: withDefault(arrayOf(headerName), []),
  response_headers_to_add: withDefault(arrayOf(headerValueOption), []),
  response_headers_to_remove: withDefault(arrayOf(headerName), []),
});
