import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dcomVersionProbe } from '../../src/probes/dcom-version.ts';
import { encodeServerAlive2Response } from '../../src/protocol/dcerpc/interfaces/oxid.ts';
import { ackAccept, ctxFor, FakeTransport, fault, respond } from './helpers.ts';

test('ServerAlive2 COMVERSION is read; an op-range fault stays a fault for classify (5.1)', async () => {
  const fake = new FakeTransport()
    .tcp('127.0.60.1', 135, {
      steps: [
        ackAccept,
        respond(
          encodeServerAlive2Response({
            comVersion: { major: 5, minor: 7 },
            bindings: null,
            reserved: 0,
            status: 0,
          }),
        ),
      ],
    })
    .tcp('127.0.60.2', 135, { steps: [ackAccept, fault(0x1c010002)] });
  const a = await dcomVersionProbe.run(ctxFor(fake, '127.0.60.1'));
  assert.equal(a.classification, 'hresult');
  assert.deepEqual(a.comVersion, { major: 5, minor: 7 });
  const b = await dcomVersionProbe.run(ctxFor(fake, '127.0.60.2'));
  assert.equal(b.classification, 'fault');
  assert.equal(b.faultStatus, 0x1c010002);
});
