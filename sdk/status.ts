// What a filter phase returns. The values equal proxy-wasm's FilterHeadersStatus/FilterDataStatus
// (Continue = 0, StopIteration = 1), so a WASM filter's return value passes through unchanged.
export const FilterStatus = { Continue: 0, Stop: 1 } as const;
export type FilterStatus = (typeof FilterStatus)[keyof typeof FilterStatus];

/** A phase may also return nothing (Continue) or a Promise: a Stop that resumes when it settles. */
export type FilterResult = FilterStatus | void | Promise<FilterStatus | void>;
