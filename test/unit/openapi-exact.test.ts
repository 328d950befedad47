import type { APIGatewayProxyEvent } from 'aws-lambda';
import Ajv2020 from 'ajv/dist/2020';
import type { z } from 'zod';
import { handler } from '../../api/handler';
import { budgetDecisionSchema, startAnalysisSchema } from '../../api/specs/analyses';
import { startOrderSchema } from '../../api/specs/orders';
import { startTrainingSchema } from '../../api/specs/trainings';

/**
 * GET /openapi.json says exactly what the API does: bodies the document's JSON Schema accepts are
 * the ones the zod schema accepts (cross-field rules included), and error bodies fit their schema.
 * The whole API is fuzzed against the document by test/integration/openapi-contract.test.ts.
 */
type Operation = { parameters?: Array<{ in: string }>; requestBody?: { content: Record<string, { schema: object }> }; responses: Record<string, { content?: Record<string, { schema: object }> }> };
let doc: { paths: Record<string, Record<string, Operation>> };
// Formats are annotations in JSON Schema 2020-12; zod emits its email pattern beside `format`.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

beforeAll(async () => {
  const event = { httpMethod: 'GET', path: '/openapi.json', headers: {}, requestContext: { stage: 'local', apiId: 'abc123', domainName: '127.0.0.1:4566' } } as unknown as APIGatewayProxyEvent;
  doc = JSON.parse((await handler(event)).body) as typeof doc;
});

const bodySchema = (path: string) => doc.paths[path]!.post!.requestBody!.content['application/json']!.schema;

/** Each body is valid for the document exactly when it is valid for the API. */
function agree(path: string, zodSchema: z.ZodType, bodies: Record<string, unknown>): Record<string, { document: boolean; api: boolean }> {
  const validate = ajv.compile(bodySchema(path));
  return Object.fromEntries(Object.entries(bodies).map(([name, body]) => [name, { document: validate(body), api: zodSchema.safeParse(body).success }]));
}
const allAgree = (results: Record<string, { document: boolean; api: boolean }>) => Object.entries(results).filter(([, r]) => r.document !== r.api);

const order = {
  customer: { name: 'Ada', email: 'ada@example.com' },
  items: [{ sku: 'a', quantity: 1, unitPrice: 0 }, { sku: 'b', quantity: 2, unitPrice: 9.99 }],
  payment: { cardNumber: '4242424242424242' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};
const training = { modelId: 'm', dataset: {}, epochs: 2, checkpointEvery: 1, hyperparameters: { learningRate: 0.1, batchSize: 8 } };
const analysis = { snapshotId: 's1', budget: 1 };

describe('GET /openapi.json describes the cross-field rules the API enforces', () => {
  it('orders: a positive total, prices in cents, names that are not blank, durations as parseDuration reads them', () => {
    const results = agree('/orders', startOrderSchema, {
      valid: order,
      zeroTotal: { ...order, items: [{ sku: 'a', quantity: 3, unitPrice: 0 }] },
      centPrice: { ...order, items: [{ sku: 'a', quantity: 1, unitPrice: 0.57 }] },
      blankName: { ...order, customer: { ...order.customer, name: ' \u000b ' } },
      paddedName: { ...order, customer: { ...order.customer, name: ` ${'x'.repeat(200)} ` } },
      longName: { ...order, customer: { ...order.customer, name: 'x'.repeat(201) } },
      duration: { ...order, approvalTimeout: ' 2 Hours ' },
      notADuration: { ...order, approvalTimeout: '2 fortnights' },
    });
    expect(allAgree(results)).toEqual([]);
    expect(results.zeroTotal).toEqual({ document: false, api: false });
    // Described only (schemathesis.toml says so): JSON Schema's multipleOf 0.01 is computed in binary floating point, refusing 0.57.
    expect(agree('/orders', startOrderSchema, { thirdOfCent: { ...order, items: [{ sku: 'a', quantity: 1, unitPrice: 0.005 }] } })).toEqual({ thirdOfCent: { document: true, api: false } });
  });

  it('trainings: hyperparameters unless resumeFrom; a review timeout longer than 0', () => {
    const { hyperparameters: _h, ...withoutHyperparameters } = training;
    const results = agree('/trainings', startTrainingSchema, {
      valid: training,
      neither: withoutHyperparameters,
      resumed: { ...withoutHyperparameters, resumeFrom: 'latest' },
      zeroTimeout: { ...training, reviewTimeout: '000s' },
      timeout: { ...training, reviewTimeout: '90s' },
    });
    expect(allAgree(results)).toEqual([]);
    expect(results.neither).toEqual({ document: false, api: false });
  });

  it('analyses: exactly one of snapshotId and snapshot; specialists only in multi-agent mode, categories only outside it', () => {
    const results = agree('/analyses', startAnalysisSchema, {
      valid: analysis,
      neither: { budget: 1 },
      both: { ...analysis, snapshot: { prefix: 'p' } },
      snapshot: { budget: 1, snapshot: { prefix: 'p' } },
      specialistsSingle: { ...analysis, specialists: [{ name: 'security' }] },
      specialistsMulti: { ...analysis, mode: 'multi-agent', specialists: [{ name: 'security' }] },
      categoriesMulti: { ...analysis, mode: 'multi-agent', categories: ['security'] },
      categoriesSingle: { ...analysis, categories: ['security'] },
    });
    expect(allAgree(results)).toEqual([]);
    expect(results.both).toEqual({ document: false, api: false });
  });

  it('a budget decision: newBudget when approved', () => {
    const results = agree('/analyses/{analysisId}/budget', budgetDecisionSchema, {
      approved: { approved: true, newBudget: 2 },
      approvedWithout: { approved: true },
      refused: { approved: false },
    });
    expect(allAgree(results)).toEqual([]);
  });
});

describe('GET /openapi.json lists the answers the API gives', () => {
  it('every route with a path parameter lists 400 for an invalid one', () => {
    const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.parameters?.some((p) => p.in === 'path') && !op.responses['400'])
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it("error bodies name the resource's id (404), its workflow (409 on start) and its status (409 on a closed one)", () => {
    const schema = (path: string, method: string, status: string) => ajv.compile(doc.paths[path]![method]!.responses[status]!.content!['application/json']!.schema);
    expect(schema('/orders/{orderId}', 'get', '404')({ error: 'no order with id "x"', orderId: 'x' })).toBe(true);
    expect(schema('/jobs', 'post', '409')({ error: 'a job with id "x" already exists', jobId: 'x', workflowId: 'text-stats-x' })).toBe(true);
    expect(schema('/analyses/{analysisId}/cancel', 'post', '409')({ error: 'cannot cancel: the analysis is completed', analysisId: 'x', status: 'COMPLETED' })).toBe(true);
    expect(schema('/audit/{logId}', 'get', '400')({ error: 'query parameter limit must be ...', parameter: 'limit' })).toBe(true);
    // Still exact: a field no handler sends is refused.
    expect(schema('/orders/{orderId}', 'get', '404')({ error: 'no order', jobId: 'x' })).toBe(false);
  });
});
