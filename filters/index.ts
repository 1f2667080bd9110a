// The built-in HTTP filters, registered by name. Each lives in its own folder beside this file
// and imports only sdk/. (The router is not here: it is the connection manager's terminal step.)
import type { HttpFilterFactory } from '../sdk/filter.js';

export const builtinFilters: readonly HttpFilterFactory[] = [];
