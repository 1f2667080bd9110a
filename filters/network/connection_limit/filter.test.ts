// connection_limit's dispose: refused connections still waiting out `delay` are closed when the filter
// instance is released (the rest of its behaviour is tested through a listener in gateway/network/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNetworkChain } from '../../../sdk/testing.js';
import connectionLimit from './filter.js';

test('close() closes the refusals still waiting out their delay', async () => {
  const chain = await loadNetworkChain([{ factory: connectionLimit, config: { stat_prefix: 'cl', max_connections: 1, delay: '60s' } }]);
  const first = chain.connect();
  const refused = chain.connect();
  assert.equal(first.established, true);
  assert.equal(refused.established, false);
  assert.equal(refused.closed, false, 'held for the delay');
  await chain.close();
  assert.equal(refused.closed, true, 'closed at dispose, not 60 s later');
  assert.equal(first.closed, false, 'an admitted connection is not the filter\'s to close');
});
