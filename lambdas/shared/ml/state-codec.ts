/**
 * The model state as bytes, for S3 (between epochs, and as checkpoint blobs):
 *
 *   offset 0   8 bytes  magic "SLMLP01\0"
 *   offset 8   uint32 LE inputs, uint32 LE hidden, uint32 LE classes, uint32 LE parameter count P
 *   offset 24  P × float64 LE: the parameters (weights and biases, layout in model.ts)
 *   then       P × float64 LE: the optimizer's velocity
 *
 * Doubles are copied bit for bit (no decimal round trip, -0 and all), so the SHA-256 of the
 * parameter bytes (`weightsSha256`) is a bit-exact fingerprint of the weights.
 */
import { createHash } from 'node:crypto';
import { paramCount, type ModelState } from './model';

const MAGIC = Buffer.from('SLMLP01\0', 'latin1');
const HEADER = 24;

function f64le(values: Float64Array): Buffer {
  const out = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) out.writeDoubleLE(values[i] as number, i * 8);
  return out;
}

export function encodeState(state: ModelState): Buffer {
  const n = state.params.length;
  if (n !== paramCount(state.shape) || state.velocity.length !== n) throw new Error('model state arrays do not match its shape');
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(state.shape.inputs, 8);
  header.writeUInt32LE(state.shape.hidden, 12);
  header.writeUInt32LE(state.shape.classes, 16);
  header.writeUInt32LE(n, 20);
  return Buffer.concat([header, f64le(state.params), f64le(state.velocity)]);
}

export function decodeState(bytes: Uint8Array): ModelState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER || !buf.subarray(0, 8).equals(MAGIC)) throw new Error('not a stepless model state (bad magic)');
  const shape = { inputs: buf.readUInt32LE(8), hidden: buf.readUInt32LE(12), classes: buf.readUInt32LE(16) };
  const n = buf.readUInt32LE(20);
  if (n !== paramCount(shape) || buf.length !== HEADER + 16 * n) throw new Error(`model state has ${buf.length} bytes; want ${HEADER + 16 * n} for ${n} parameters`);
  const params = new Float64Array(n);
  const velocity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    params[i] = buf.readDoubleLE(HEADER + i * 8);
    velocity[i] = buf.readDoubleLE(HEADER + (n + i) * 8);
  }
  return { shape, params, velocity };
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** SHA-256 of the parameters as float64 LE: the fingerprint compared across runs. */
export function weightsSha256(state: ModelState): string {
  return sha256Hex(f64le(state.params));
}
