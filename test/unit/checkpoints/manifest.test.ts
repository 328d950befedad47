import { canonicalJson, deriveCheckpointId, type CheckpointIdentity } from '../../../runtime/checkpoints/checkpoint-id';
import { CheckpointIntegrityError } from '../../../runtime/checkpoints/errors';
import { blobKey } from '../../../runtime/checkpoints/layout';
import { parseManifest, serializeManifest, type CheckpointManifest } from '../../../runtime/checkpoints/manifest';

const SHA = 'ab'.repeat(32);
const identity: CheckpointIdentity = { runKey: 'm', step: 3, name: null, parent: null, blobSha256: SHA, metadata: { b: 1, a: [1, { y: 2, x: 1 }] } };

describe('checkpoint ids', () => {
  it('are 32 hex digits, stable for equal content whatever the key order', () => {
    const id = deriveCheckpointId(identity);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(deriveCheckpointId({ ...identity, metadata: { a: [1, { x: 1, y: 2 }], b: 1 } })).toBe(id);
  });

  it('differ when any identifying field differs', () => {
    const id = deriveCheckpointId(identity);
    const variants: Partial<CheckpointIdentity>[] = [
      { runKey: 'n' },
      { step: 4 },
      { name: 'best' },
      { parent: 'c'.repeat(32) },
      { blobSha256: 'cd'.repeat(32) },
      { metadata: { b: 2, a: [1, { y: 2, x: 1 }] } },
    ];
    for (const v of variants) expect(deriveCheckpointId({ ...identity, ...v })).not.toBe(id);
  });

  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[3,{"c":2,"d":1}]}');
  });
});

describe('parseManifest', () => {
  const manifest: CheckpointManifest = {
    formatVersion: 1,
    checkpointId: deriveCheckpointId(identity),
    runKey: 'm',
    name: 'epoch-1',
    step: 3,
    blob: { key: blobKey('p/', SHA), sha256: SHA, sizeBytes: 10 },
    parent: null,
    createdAt: '2024-05-01T12:00:00.000Z',
    metadata: { loss: 0.1 },
  };
  const key = 'p/runs/m/manifests/x.json';
  const expectFor = { prefix: 'p/', step: 3, checkpointId: manifest.checkpointId, runKey: 'm' };

  it('round-trips what serializeManifest writes', () => {
    expect(parseManifest(serializeManifest(manifest), key, expectFor)).toEqual(manifest);
  });

  it.each([
    ['not JSON', 'nope', /expected JSON/],
    ['another format version', JSON.stringify({ ...manifest, formatVersion: 2 }), /expected formatVersion 1.*found formatVersion number 2/],
    ['a blob key outside the layout', JSON.stringify({ ...manifest, blob: { ...manifest.blob, key: 'elsewhere' } }), /blob.key/],
    ['a bad createdAt', JSON.stringify({ ...manifest, createdAt: 'yesterday' }), /expected createdAt: an ISO 8601 UTC timestamp, found "yesterday"/],
    ['a step other than the key says', JSON.stringify({ ...manifest, step: 4 }), /expected step 0000000000000003/],
    ['another run', JSON.stringify({ ...manifest, runKey: 'other' }), /expected runKey "m"/],
    ['a malformed parent id', JSON.stringify({ ...manifest, parent: 'nope' }), /expected parent: a checkpoint id/],
    ['metadata that is not an object', JSON.stringify({ ...manifest, metadata: [1] }), /expected metadata: a plain JSON object/],
  ])('rejects %s as MANIFEST_INVALID', (_what, text, message) => {
    let error: unknown;
    try {
      parseManifest(text, key, expectFor);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CheckpointIntegrityError);
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID', key });
    expect((error as Error).message).toMatch(message);
  });
});
