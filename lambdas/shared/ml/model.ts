/**
 * A small multilayer perceptron for classification, in plain Float64 arithmetic:
 * inputs → tanh hidden layer (H units; H = 0 gives multinomial logistic regression) → softmax over
 * the classes, trained with minibatch SGD with momentum on the mean cross-entropy. The momentum
 * buffer is in gradient units (b ← μb + ∇ + λw; w ← w − ηb, as PyTorch's SGD does), so a learning
 * rate changed by a researcher's decision scales the very next step, velocity included. Every
 * loop runs in a fixed order, so the same state, data, order and hyperparameters give bit-for-bit
 * the same weights on any run.
 *
 * Parameter layout (one Float64Array): H > 0: W1 [H×D], b1 [H], W2 [C×H], b2 [C]; H = 0: W [C×D], b [C].
 */
import { Purpose, stream } from './rng';
import type { Table } from './dataset';

export interface ModelShape {
  inputs: number;
  hidden: number;
  classes: number;
}

export interface Hyperparameters {
  learningRate: number;
  batchSize: number;
  /** Momentum μ, 0 ≤ μ < 1. Default 0.9. */
  momentum?: number;
  /** L2 weight decay λ on weights (not biases). Default 0. */
  l2?: number;
}

export interface ModelState {
  shape: ModelShape;
  params: Float64Array;
  /** The optimizer's state: one momentum buffer entry per parameter. */
  velocity: Float64Array;
}

export function paramCount({ inputs: d, hidden: h, classes: c }: ModelShape): number {
  return h > 0 ? h * d + h + c * h + c : c * d + c;
}

/** Weights ~ N(0, 1/fan_in) from stream(seed, Init, 0), biases 0, velocity 0. */
export function initModel(shape: ModelShape, seed: number): ModelState {
  const rng = stream(seed, Purpose.Init, 0);
  const params = new Float64Array(paramCount(shape));
  const { inputs: d, hidden: h, classes: c } = shape;
  const fill = (offset: number, count: number, fanIn: number) => {
    const scale = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < count; i++) params[offset + i] = rng.nextGaussian() * scale;
  };
  if (h > 0) {
    fill(0, h * d, d);
    fill(h * d + h, c * h, h);
  } else {
    fill(0, c * d, d);
  }
  return { shape: { ...shape }, params, velocity: new Float64Array(params.length) };
}

/** Scratch buffers for one forward/backward pass. */
class Pass {
  readonly hidden: Float64Array;
  readonly probs: Float64Array;
  readonly dHidden: Float64Array;
  constructor(readonly shape: ModelShape) {
    this.hidden = new Float64Array(shape.hidden);
    this.probs = new Float64Array(shape.classes);
    this.dHidden = new Float64Array(shape.hidden);
  }

  /** Fills `probs` for row r; returns the cross-entropy of its label. */
  forward(p: Float64Array, x: Float64Array, r: number, label: number): number {
    const { inputs: d, hidden: h, classes: c } = this.shape;
    const xo = r * d;
    let src: Float64Array = x;
    let srcOff = xo;
    let width = d;
    let w2 = 0;
    if (h > 0) {
      for (let j = 0; j < h; j++) {
        let s = p[h * d + j] as number;
        const row = j * d;
        for (let k = 0; k < d; k++) s += (p[row + k] as number) * (x[xo + k] as number);
        this.hidden[j] = Math.tanh(s);
      }
      src = this.hidden;
      srcOff = 0;
      width = h;
      w2 = h * d + h;
    }
    const bOff = w2 + c * width;
    let max = -Infinity;
    for (let i = 0; i < c; i++) {
      let s = p[bOff + i] as number;
      const row = w2 + i * width;
      for (let k = 0; k < width; k++) s += (p[row + k] as number) * (src[srcOff + k] as number);
      this.probs[i] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let i = 0; i < c; i++) {
      const e = Math.exp((this.probs[i] as number) - max);
      this.probs[i] = e;
      sum += e;
    }
    for (let i = 0; i < c; i++) this.probs[i] = (this.probs[i] as number) / sum;
    return -Math.log(Math.max(this.probs[label] as number, 1e-300));
  }

  /** Adds the gradient of row r's loss to g (after forward on the same row). */
  backward(p: Float64Array, g: Float64Array, x: Float64Array, r: number, label: number): void {
    const { inputs: d, hidden: h, classes: c } = this.shape;
    const xo = r * d;
    const width = h > 0 ? h : d;
    const src = h > 0 ? this.hidden : x;
    const srcOff = h > 0 ? 0 : xo;
    const w2 = h > 0 ? h * d + h : 0;
    const bOff = w2 + c * width;
    if (h > 0) this.dHidden.fill(0);
    for (let i = 0; i < c; i++) {
      const dz = (this.probs[i] as number) - (i === label ? 1 : 0);
      const row = w2 + i * width;
      for (let k = 0; k < width; k++) {
        g[row + k] = (g[row + k] as number) + dz * (src[srcOff + k] as number);
        if (h > 0) this.dHidden[k] = (this.dHidden[k] as number) + dz * (p[row + k] as number);
      }
      g[bOff + i] = (g[bOff + i] as number) + dz;
    }
    if (h > 0) {
      for (let j = 0; j < h; j++) {
        const a = this.hidden[j] as number;
        const da = (this.dHidden[j] as number) * (1 - a * a);
        const row = j * d;
        for (let k = 0; k < d; k++) g[row + k] = (g[row + k] as number) + da * (x[xo + k] as number);
        g[h * d + j] = (g[h * d + j] as number) + da;
      }
    }
  }
}

/** Which parameters are weights (decayed by L2) rather than biases. */
function weightMask(shape: ModelShape): Uint8Array {
  const { inputs: d, hidden: h, classes: c } = shape;
  const mask = new Uint8Array(paramCount(shape));
  if (h > 0) {
    mask.fill(1, 0, h * d);
    mask.fill(1, h * d + h, h * d + h + c * h);
  } else {
    mask.fill(1, 0, c * d);
  }
  return mask;
}

export interface EpochStats {
  /** Mean cross-entropy over the epoch's samples, each measured just before its batch's update. */
  loss: number;
  samples: number;
  batches: number;
}

/** One pass over `order` (indices into `data`) in minibatches; updates `state` in place. */
export function trainEpoch(state: ModelState, data: Table, order: ArrayLike<number>, hp: Hyperparameters): EpochStats {
  const { shape, params: p, velocity: v } = state;
  if (data.features !== shape.inputs) throw new Error(`the data has ${data.features} features, the model ${shape.inputs} inputs`);
  const lr = hp.learningRate;
  const mu = hp.momentum ?? 0.9;
  const l2 = hp.l2 ?? 0;
  const bs = hp.batchSize;
  const pass = new Pass(shape);
  const g = new Float64Array(p.length);
  const mask = weightMask(shape);
  let total = 0;
  let batches = 0;
  for (let start = 0; start < order.length; start += bs) {
    const end = Math.min(start + bs, order.length);
    g.fill(0);
    for (let i = start; i < end; i++) {
      const r = order[i] as number;
      const label = data.labels[r] as number;
      total += pass.forward(p, data.x, r, label);
      pass.backward(p, g, data.x, r, label);
    }
    const inv = 1 / (end - start);
    for (let k = 0; k < p.length; k++) {
      const grad = (g[k] as number) * inv + (mask[k] === 1 ? l2 * (p[k] as number) : 0);
      v[k] = mu * (v[k] as number) + grad;
      p[k] = (p[k] as number) - lr * (v[k] as number);
    }
    batches++;
  }
  return { loss: total / order.length, samples: order.length, batches };
}

export interface Evaluation {
  accuracy: number;
  loss: number;
  samples: number;
  correct: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export function evaluate(state: ModelState, data: Table): Evaluation {
  const { shape, params: p } = state;
  const pass = new Pass(shape);
  const n = data.labels.length;
  const confusion = Array.from({ length: shape.classes }, () => new Array<number>(shape.classes).fill(0));
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const label = data.labels[r] as number;
    total += pass.forward(p, data.x, r, label);
    let best = 0;
    for (let i = 1; i < shape.classes; i++) if ((pass.probs[i] as number) > (pass.probs[best] as number)) best = i;
    if (best === label) correct++;
    (confusion[label] as number[])[best] = ((confusion[label] as number[])[best] as number) + 1;
  }
  return { accuracy: n === 0 ? 0 : correct / n, loss: n === 0 ? 0 : total / n, samples: n, correct, confusion };
}
