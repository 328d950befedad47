import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../../infra/local/processes';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../infra/local/paths';
import { approve, orderStatus, placeOrder, waitForOrder } from '../../scripts/demo/order';

/**
 * `npm stop` then `npm start` while an order waits for approval: Temporal keeps the workflow and
 * LocalStack keeps the stack (same API URL), the order's stock reservation, payment and audit log,
 * so approving it afterwards completes the order and its audit log verifies.
 *
 * The integration suite shares one local cloud, and restarting it would break the suites running
 * beside this one. So this test brings up a private cloud of its own (other ports, its own state
 * directory, through the same npm scripts a user runs) and deletes it afterwards; the shared cloud
 * is never stopped, restarted or redeployed.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'stepless-restart-'));
let env: NodeJS.ProcessEnv;

/** Runs one of our npm scripts against the private cloud; resolves with its output, rejects on a non-zero exit. */
function script(file: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', file), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

const apiUrl = (): string => (JSON.parse(readFileSync(join(stateDir, 'stack-outputs.json'), 'utf8')) as Record<string, { ApiUrl: string }>)['Stepless-local']!.ApiUrl;

describe('the local cloud across a restart', () => {
  beforeAll(async () => {
    const [localstack, temporal, temporalUi] = [await freePort(), await freePort(), await freePort()];
    env = {
      ...process.env,
      STEPLESS_STATE_DIR: stateDir,
      STEPLESS_LOCALSTACK_PORT: String(localstack),
      STEPLESS_TEMPORAL_PORT: String(temporal),
      STEPLESS_TEMPORAL_UI_PORT: String(temporalUi),
    };
    await script('local-up.ts');
  }, 900000);

  afterAll(async () => {
    await script('local-reset.ts').catch((err: Error) => console.error(err.message));
    rmSync(stateDir, { recursive: true, force: true });
  }, 120000);

  it('keeps a waiting order, its records and its audit log, and completes it once approved', async () => {
    const api = apiUrl();
    const sku = `restart-${randomUUID().slice(0, 8)}`;
    await script('restock.ts', [sku, '10']);
    const orderId = `restart-${randomUUID()}`;
    const order = {
      orderId,
      customer: { name: 'Ada', email: 'ada@example.com' },
      // 3 × 2500.00 is above the 5000.00 approval threshold, so the saga waits for a decision.
      items: [{ sku, quantity: 3, unitPrice: 2500 }],
      payment: { cardNumber: '4242424242424242' },
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      approvalTimeout: '1 hour',
      deliveryWindow: '1 second',
    };
    expect((await placeOrder(api, order)).status).toBe(202);
    const waiting = await waitForOrder(api, orderId, { done: (s) => s.state?.state === 'AWAITING_APPROVAL' || s.status !== 'RUNNING' });
    expect(waiting.state?.state).toBe('AWAITING_APPROVAL');

    expect(await script('local-down.ts')).toContain('LocalStack');
    const restarted = await script('local-up.ts');
    expect(restarted).toContain('state restored from the last stop');
    expect(restarted).not.toContain('could not keep');
    expect(apiUrl()).toBe(api);

    // The workflow (Temporal) and the reservation made before the stop (LocalStack) are both still there.
    expect((await orderStatus(api, orderId)).body.state?.state).toBe('AWAITING_APPROVAL');
    expect((await approve(api, orderId, { approved: true, approvedBy: 'grace@example.com', reason: 'known customer' })).status).toBe(200);
    const done = await waitForOrder(api, orderId);
    expect(done.status).toBe('COMPLETED');
    expect(done.state?.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['reserveInventory:COMPLETED', 'validateAddress:COMPLETED', 'chargePayment:COMPLETED', 'createShipment:COMPLETED']);

    // Entries written before the restart and after it form one log whose proofs all check out.
    const verified = await script('audit.ts', ['verify', `order-${orderId}`]);
    expect(verified).toContain('✔ verified');
  }, 900000);
});
