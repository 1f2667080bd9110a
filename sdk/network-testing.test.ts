import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineNetworkFilter, FilterStatus } from './index.js';
import type { NetworkConnection } from './index.js';
import { loadNetworkChain } from './network-testing.js';

/** Holds the client's first bytes until the test releases them; masks "secret" going back; closes on "quit". */
const sample = defineNetworkFilter<{ mask: string }>({
  name: 'sample',
  configSchema: { type: 'object', additionalProperties: false, properties: { mask: { type: 'string', default: '***' } } },
  create(config, ctx) {
    const closes = ctx.stats.counter('sample.closed');
    return (conn) => {
      let released = false;
      conn.state.set('release', () => {
        released = true;
        conn.continueReading();
      });
      return {
        onDownstreamData(data, _eos, c: NetworkConnection) {
          if (data.includes('quit')) {
            c.close();
            return FilterStatus.Stop;
          }
          return released ? FilterStatus.Continue : FilterStatus.Stop;
        },
        onUpstreamData: (data) => Buffer.from(data.toString().replaceAll('secret', config.mask)),
        onClose: () => closes.inc(),
      };
    };
  },
});

test('network kit: held data is passed on by continueReading, upstream data rewritten, close runs onClose', async () => {
  const chain = await loadNetworkChain([{ factory: sample, config: {} }]);
  const conn = chain.connect({ sourceAddress: '10.0.0.7' });
  assert.equal(conn.established, true);
  conn.send('hel');
  conn.send('lo');
  assert.equal(conn.toTerminal.length, 0, 'held');
  // What a real filter would do from a timer or a callout: here the state bag carries the hook.
  (conn.state.get('release') as () => void)();
  assert.equal(conn.toTerminal.toString(), 'hello');
  conn.reply('the secret is out', true);
  assert.equal(conn.toClient.toString(), 'the *** is out');
  assert.equal(conn.clientEnded, true);
  conn.send('quit');
  assert.equal(conn.closed, true);
  await new Promise((r) => setImmediate(r));
  assert.equal(chain.counters()['sample.closed'], 1);
});

test('network kit: a bad config is refused with its path; a throwing filter closes the connection and counts an error', async () => {
  await assert.rejects(loadNetworkChain([{ factory: sample, config: { mask: 3 } }]), /sample\.config\.mask: must be string/);
  const thrower = defineNetworkFilter({
    name: 'thrower',
    configSchema: { type: 'object' },
    create: () => () => ({
      onNewConnection() {
        throw new Error('no');
      },
    }),
  });
  const chain = await loadNetworkChain([{ factory: thrower }]);
  const conn = chain.connect();
  assert.equal(conn.closed, true);
  assert.equal(conn.established, false);
  assert.equal(chain.counters()['thrower.errors'], 1);
  assert.equal(chain.logs.some((l) => l.level === 'error' && l.filter === 'thrower'), true);
});
