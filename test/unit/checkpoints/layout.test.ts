import {
  MAX_ENCODED_RUN_KEY_CHARS,
  blobKey,
  copySource,
  decodeRunKey,
  encodeRunKey,
  manifestKey,
  manifestsPrefix,
  padStep,
  parseManifestKey,
} from '../../../runtime/checkpoints/layout';

const ID = 'a'.repeat(32);

describe('key layout', () => {
  it('places blobs by hash and manifests by run, padded step and id', () => {
    expect(blobKey('checkpoints/', 'ab'.repeat(32))).toBe(`checkpoints/blobs/sha256/${'ab'.repeat(32)}`);
    expect(manifestKey('checkpoints/', 'resnet50', 1200, ID)).toBe(`checkpoints/runs/resnet50/manifests/0000000000001200-${ID}.json`);
    expect(manifestKey('', 'm', 0, ID)).toBe(`runs/m/manifests/0000000000000000-${ID}.json`);
  });

  it('pads steps to 16 digits so that lexicographic order is numeric order', () => {
    expect(padStep(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    const steps = [10, 9, 100, 0, 99, 1000000];
    expect(steps.map(padStep).sort().map(Number)).toEqual([...steps].sort((a, b) => a - b));
  });

  it('parses its own manifest keys back and ignores foreign ones', () => {
    const key = manifestKey('p/', 'org/model v1', 42, ID);
    expect(parseManifestKey('p/', key)).toEqual({ encodedRunKey: encodeRunKey('org/model v1'), step: 42, checkpointId: ID });
    expect(parseManifestKey('p/', 'p/runs/m/manifests/README.md')).toBeUndefined();
    expect(parseManifestKey('p/', `p/runs/m/manifests/42-${ID}.json`)).toBeUndefined(); // not padded
    expect(parseManifestKey('p/', `p/runs/m/other/0000000000000042-${ID}.json`)).toBeUndefined();
    expect(parseManifestKey('p/', `q/runs/m/manifests/0000000000000042-${ID}.json`)).toBeUndefined();
  });

  it('url-encodes CopySource per segment', () => {
    expect(copySource('b', 'checkpoints/tmp/a b+c')).toBe('b/checkpoints/tmp/a%20b%2Bc');
  });
});

describe('encodeRunKey', () => {
  it('keeps readable ids readable and encodes everything else as UTF-8 %XX', () => {
    expect(encodeRunKey('resnet50-v1.2_final')).toBe('resnet50-v1.2_final');
    expect(encodeRunKey('org/model')).toBe('org%2Fmodel');
    expect(encodeRunKey('a b~c%')).toBe('a%20b%7Ec%25');
    expect(encodeRunKey('Ünï')).toBe('%C3%9Cn%C3%AF');
  });

  it('never yields "." or ".." segments, or a leading dot', () => {
    expect(encodeRunKey('.')).toBe('%2E');
    expect(encodeRunKey('..')).toBe('%2E.');
    expect(encodeRunKey('.hidden')).toBe('%2Ehidden');
  });

  it('is injective across keys that look alike, including "/" nesting', () => {
    const keys = ['a', 'a/b', 'a%2Fb', 'a b', 'a+b', 'A', '.a', '%2Ea', '~x', 'é', 'e\u0301'];
    const encoded = keys.map(encodeRunKey);
    expect(new Set(encoded).size).toBe(keys.length);
    for (const e of encoded) expect(e).not.toContain('/');
    // run "a" listing its manifests prefix must not see run "a/b"'s
    expect(manifestsPrefix('', 'a/b').startsWith(manifestsPrefix('', 'a'))).toBe(false);
  });

  it('round-trips through decodeRunKey', () => {
    for (const key of ['org/llama-7b@v2', '..', '.x', 'ü/🙂', '100%']) expect(decodeRunKey(encodeRunKey(key))).toBe(key);
    expect(decodeRunKey('%E0%A4%A')).toBeUndefined();
  });

  it('hashes keys whose encoding would be too long, keeping every S3 key under 1024 bytes', () => {
    const long = '🙂'.repeat(256);
    const encoded = encodeRunKey(long);
    expect(encoded).toMatch(/^~[0-9a-f]{64}$/);
    expect(decodeRunKey(encoded)).toBeUndefined();
    expect(encodeRunKey('🙂'.repeat(255) + '🙃')).not.toBe(encoded);
    const worstPrefix = `${'p'.repeat(255)}/`;
    expect(Buffer.byteLength(manifestKey(worstPrefix, long, Number.MAX_SAFE_INTEGER, ID))).toBeLessThanOrEqual(1024);
    const longestReadable = '-'.repeat(MAX_ENCODED_RUN_KEY_CHARS);
    expect(encodeRunKey(longestReadable)).toBe(longestReadable);
    expect(Buffer.byteLength(manifestKey(worstPrefix, longestReadable, Number.MAX_SAFE_INTEGER, ID))).toBeLessThanOrEqual(1024);
  });
});
