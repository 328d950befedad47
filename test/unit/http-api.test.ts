import { dirname } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { z } from 'zod';
import { HttpApi, gatewayModelSchema, type HttpApiProps } from '../../infra/constructs/http-api';
import { SteplessStack, type SteplessStackProps } from '../../infra/stacks/stepless-stack';
import { gatewayRoutes } from '../../api/specs/route-table';
import { startOrderSchema } from '../../api/specs/orders';
import { errorSchema } from '../../api/specs/route-spec';

/**
 * What the API promises at the edge, asserted on synthesized templates: a method per route,
 * validation, throttling and authorization as the deployment settings say. Bundling is skipped
 * (the functions' code is not what is asserted here), which keeps each synth to seconds.
 */
type Ref = { Ref: string };
type Resource<P = Record<string, unknown>> = { Type: string; Properties: P };
interface MethodProps {
  HttpMethod: string;
  ResourceId: unknown;
  AuthorizationType?: string;
  ApiKeyRequired?: boolean;
  RequestValidatorId?: Ref;
  RequestModels?: Record<string, Ref>;
  Integration: { Type: string; IntegrationHttpMethod?: string; IntegrationResponses?: Array<{ ResponseParameters: Record<string, string> }> };
}
interface GatewayResponseProps {
  ResponseType: string;
  StatusCode?: string;
  ResponseTemplates: Record<string, string>;
  ResponseParameters?: Record<string, string>;
}

function synth(props: Partial<SteplessStackProps> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const target = props.target ?? 'aws';
  return Template.fromStack(
    new SteplessStack(app, 'Api', { target, stage: target === 'aws' ? 'prod' : 'local', ...(target === 'aws' ? { temporalAddress: 'my-ns.a1b2c.tmprl.cloud:7233', temporalTls: true } : {}), ...props }),
  );
}

const resources = <P = Record<string, unknown>>(t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, Resource<P>]>;

/** Every method as "VERB /path", with its properties; paths rebuilt from the Resource tree. */
function methods(t: Template): Map<string, MethodProps> {
  const apiResources = Object.fromEntries(resources<{ ParentId: unknown; PathPart: string }>(t, 'AWS::ApiGateway::Resource'));
  const pathOf = (ref: unknown): string => {
    if (typeof ref === 'object' && ref !== null && 'Fn::GetAtt' in ref) return ''; // the root resource
    const res = apiResources[(ref as { Ref: string }).Ref]!;
    return `${pathOf(res.Properties.ParentId)}/${res.Properties.PathPart}`;
  };
  return new Map(resources<MethodProps>(t, 'AWS::ApiGateway::Method').map(([, m]) => [`${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId) || '/'}`, m.Properties]));
}

const modelOf = (t: Template, method: MethodProps) =>
  t.findResources('AWS::ApiGateway::Model')[method.RequestModels!['application/json']!.Ref] as Resource<{ ContentType: string; Name: string; Schema: { $schema: string } }>;

/** The draft-04 validator API Gateway models are written for (ajv-draft-04, installed with the OpenAPI validator). */
function draft04Validator(schema: object): (value: unknown) => boolean {
  const base = dirname(require.resolve('@seriousme/openapi-schema-validator/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require(require.resolve('ajv-draft-04', { paths: [base] })) as { default: new (o: object) => { compile(s: object): (v: unknown) => boolean } }).default;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

/** API Gateway's substitution in a gateway response template (no VTL: plain replacement). */
const render = (template: string, vars: Record<string, string>) => template.replace(/\$context\.[A-Za-z.]+/g, (v) => vars[v] ?? '');

/** The operator-only routes (the codec), as "VERB /path". */
const operatorRoutes = gatewayRoutes.filter((r) => r.operatorOnly).map((r) => `${r.method} ${r.path}`);

/** The execute-api ARNs a managed policy allows, as "VERB /path" (the ARN's tail after the stage). */
function policyRoutes(t: Template, idPrefix: string): string[] {
  const [policy] = resources<{ PolicyDocument: { Statement: Array<{ Effect: string; Action: string; Resource: Array<{ 'Fn::Join': [string, unknown[]] }> }> } }>(t, 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith(idPrefix));
  const [statement, ...more] = policy![1].Properties.PolicyDocument.Statement;
  expect(more).toEqual([]);
  expect([statement!.Effect, statement!.Action]).toEqual(['Allow', 'execute-api:Invoke']);
  return statement!.Resource.map((r) => {
    const parts = r['Fn::Join'][1];
    expect(parts).toEqual(expect.arrayContaining([':execute-api:', { Ref: expect.stringMatching(/^Api[0-9A-F]+$/) }]));
    const tail = String(parts.at(-1)); // "/GET/orders/*"
    const [, method, ...path] = tail.split('/');
    return `${method} /${path.join('/')}`;
  }).sort();
}
const asPattern = (route: string) => route.replace(/\{[^}]+\}/g, '*');

describe('HttpApi on AWS, API keys', () => {
  const t = synth({ apiAuth: 'apiKey', apiThrottleRate: 25, apiThrottleBurst: 40, apiQuotaPerDay: 5000, corsOrigins: ['https://app.example.com'] });
  const all = methods(t);

  it('has a method per route of the route table, each a Lambda proxy integration, and nothing else', () => {
    const routes = [...all.keys()].filter((k) => !k.startsWith('OPTIONS '));
    expect(routes.sort()).toEqual(gatewayRoutes.map((r) => `${r.method} ${r.path}`).sort());
    expect(routes).toContain('POST /orders');
    expect(routes).toContain('GET /audit/{path+}');
    for (const [key, m] of all) {
      if (key.startsWith('OPTIONS ')) continue;
      expect(m.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
    // No catch-all: an unknown path or method is refused by API Gateway, not by the function.
    expect([...all.keys()].some((k) => k.startsWith('ANY ') || k.includes('{proxy+}'))).toBe(false);
    // One invoke permission for the API, not two per method (the function policy has a size limit).
    t.resourceCountIs('AWS::Lambda::Permission', 1);
  });

  it('requires an API key on every method but the CORS preflight and the codec, which takes SigV4 and the operators\' policy instead', () => {
    expect(operatorRoutes.sort()).toEqual(['POST /codec/decode', 'POST /codec/encode']);
    for (const [key, m] of all) {
      if (key.startsWith('OPTIONS ')) expect([key, m.ApiKeyRequired ?? false, m.AuthorizationType]).toEqual([key, false, 'NONE']);
      else if (operatorRoutes.includes(key)) expect([key, m.ApiKeyRequired ?? false, m.AuthorizationType]).toEqual([key, false, 'AWS_IAM']);
      else expect([key, m.ApiKeyRequired, m.AuthorizationType]).toEqual([key, true, 'NONE']);
    }
    expect(policyRoutes(t, 'ApiOperatorPolicy')).toEqual(operatorRoutes.sort());
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    expect(Object.keys(t.findOutputs('CodecOperatorPolicyArn'))).toEqual(['CodecOperatorPolicyArn']);
  });

  it('puts one key in a usage plan on the stage, with the stage throttle and the daily quota', () => {
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    t.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 25, BurstLimit: 40 },
      Quota: { Limit: 5000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: Match.anyValue(), Stage: Match.anyValue() })],
    });
    const [keyId] = Object.keys(t.findResources('AWS::ApiGateway::ApiKey'));
    t.hasOutput('ApiKeyId', { Value: { Ref: keyId } });
    const command = JSON.stringify(t.findOutputs('ApiKeyValueCommand'));
    expect(command).toContain('aws apigateway get-api-key --api-key ');
    expect(command).toContain('--include-value');
    expect(Object.keys(t.findOutputs('ApiClientPolicyArn'))).toEqual([]);
  });

  it('throttles the whole stage, logs access as JSON without bodies, traces, and names the environment', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      Variables: { environment: 'prod' },
      TracingEnabled: true,
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40, MetricsEnabled: false, DataTraceEnabled: false, LoggingLevel: 'ERROR' }],
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: Match.anyValue() },
    });
    const [stage] = resources<{ AccessLogSetting: { Format: string } }>(t, 'AWS::ApiGateway::Stage');
    const format = JSON.parse(stage![1].Properties.AccessLogSetting.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', status: '$context.status', responseLatency: '$context.responseLatency' });
    expect(Object.values(format).some((v) => /body|input/i.test(v))).toBe(false);
    t.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  it('validates the body of POST /orders against a model generated from its zod schema', () => {
    const post = all.get('POST /orders')!;
    const [validatorId, validator] = resources(t, 'AWS::ApiGateway::RequestValidator').find(([id]) => id === post.RequestValidatorId?.Ref)!;
    expect(validatorId).toBeDefined();
    expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: false });
    const model = modelOf(t, post);
    expect(model.Properties).toMatchObject({ ContentType: 'application/json', Name: 'PostOrders' });
    expect(model.Properties.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    // Every body route has one; no route without a body does.
    for (const route of gatewayRoutes) expect([route.method, route.path, all.get(`${route.method} ${route.path}`)!.RequestModels !== undefined]).toEqual([route.method, route.path, route.body !== undefined]);
  });

  it("the model refuses what the zod schema refuses, and accepts what it accepts", () => {
    const post = all.get('POST /orders')!;
    const schema = modelOf(t, post).Properties.Schema;
    const edge = draft04Validator(schema);
    const valid = {
      customer: { name: 'Ada', email: 'ada@example.com' },
      items: [{ sku: 'sku-1', quantity: 2, unitPrice: 10.5 }],
      payment: { cardNumber: '4242424242424242' },
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    };
    const accepted = [
      valid,
      { ...valid, orderId: 'o-1', currency: 'EUR', approvalThreshold: 0, deliveryWindow: '2 seconds' },
      // Checked after trimming by zod, so the edge must not count the spaces.
      { ...valid, customer: { name: `  Ada${' '.repeat(250)}`, email: 'ada@example.com' } },
    ];
    for (const body of accepted) {
      expect(startOrderSchema.safeParse(body).success).toBe(true);
      expect(edge(body)).toBe(true);
    }
    const refused: Array<[string, unknown]> = [
      ['not an object', []],
      ['missing items', { ...valid, items: undefined }],
      ['no items', { ...valid, items: [] }],
      ['unknown field', { ...valid, coupon: 'FREE' }],
      ['unknown nested field', { ...valid, payment: { cardNumber: '4242424242424242', cvv: '123' } }],
      ['quantity not whole', { ...valid, items: [{ sku: 'sku-1', quantity: 1.5, unitPrice: 1 }] }],
      ['quantity 0', { ...valid, items: [{ sku: 'sku-1', quantity: 0, unitPrice: 1 }] }],
      ['negative price', { ...valid, items: [{ sku: 'sku-1', quantity: 1, unitPrice: -1 }] }],
      ['bad sku', { ...valid, items: [{ sku: 'a b', quantity: 1, unitPrice: 1 }] }],
      ['bad email', { ...valid, customer: { name: 'Ada', email: 'ada-at-example' } }],
      ['card too short', { ...valid, payment: { cardNumber: '4242' } }],
      ['country not alpha-2', { ...valid, shippingAddress: { ...valid.shippingAddress, country: 'GBR' } }],
      ['orderId with a slash', { ...valid, orderId: '../x' }],
      ['price is a string', { ...valid, items: [{ sku: 'sku-1', quantity: 1, unitPrice: '10' }] }],
    ];
    for (const [why, body] of refused) {
      expect([why, startOrderSchema.safeParse(body).success]).toEqual([why, false]);
      expect([why, edge(body)]).toEqual([why, false]);
    }
    // Rules JSON Schema cannot state stay with the handler: a bad Luhn checksum passes the edge.
    const badChecksum = { ...valid, payment: { cardNumber: '4242424242424241' } };
    expect(startOrderSchema.safeParse(badChecksum).success).toBe(false);
    expect(edge(badChecksum)).toBe(true);
  });

  it("answers the gateway's own errors in the API's error shape, naming the broken rule", () => {
    const templates = Object.fromEntries(resources<GatewayResponseProps>(t, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]));
    const vars = {
      '$context.error.messageString': '"Forbidden"',
      '$context.error.validationErrorString': 'instance failed to match at least one required schema among 2',
      '$context.requestId': 'c0ffee',
      '$context.httpMethod': 'GET',
    };
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX', 'BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'MISSING_AUTHENTICATION_TOKEN', 'INVALID_API_KEY', 'THROTTLED', 'QUOTA_EXCEEDED']) {
      const body = JSON.parse(render(templates[type]!.ResponseTemplates['application/json']!, vars)) as unknown;
      expect([type, errorSchema.safeParse(body).success]).toEqual([type, true]);
      expect(body).toMatchObject({ requestId: 'c0ffee' });
    }
    expect(JSON.parse(render(templates.BAD_REQUEST_BODY!.ResponseTemplates['application/json']!, vars))).toEqual({
      error: 'invalid request body: instance failed to match at least one required schema among 2',
      errors: [{ field: '(body)', message: 'instance failed to match at least one required schema among 2' }],
      requestId: 'c0ffee',
    });
    expect(templates.BAD_REQUEST_BODY!.StatusCode).toBe('400');
    // An unknown route is a 404, not API Gateway's 403 "Missing Authentication Token".
    expect(templates.MISSING_AUTHENTICATION_TOKEN!.StatusCode).toBe('404');
    expect(templates.THROTTLED!.StatusCode).toBe('429');
    // With one allowed origin, browsers can read these errors too.
    expect(templates.DEFAULT_4XX!.ResponseParameters).toEqual({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" });
  });

  it('answers CORS preflights for the configured origins, and tells the function the same list', () => {
    const options = [...all.entries()].filter(([k]) => k.startsWith('OPTIONS '));
    expect(options.map(([k]) => k)).toEqual(expect.arrayContaining(['OPTIONS /orders', 'OPTIONS /orders/{orderId}/approval']));
    expect(options[0]![1].Integration.IntegrationResponses?.[0]?.ResponseParameters).toMatchObject({
      'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      'method.response.header.Access-Control-Allow-Headers': expect.stringContaining('x-api-key'),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^The HTTP API'),
      Environment: { Variables: Match.objectLike({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' }) },
    });
  });
});

describe('HttpApi on AWS, IAM authorization (the default)', () => {
  const t = synth({ tracing: false });
  const all = methods(t);

  it('requires SigV4 (AWS_IAM) on every method, and no API key', () => {
    expect(all.size).toBe(gatewayRoutes.length);
    for (const [key, m] of all) expect([key, m.AuthorizationType, m.ApiKeyRequired ?? false]).toEqual([key, 'AWS_IAM', false]);
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  it('grants applications every route but the codec, and operators the codec alone, in two managed policies', () => {
    const appRoutes = [...new Set(gatewayRoutes.filter((r) => !r.operatorOnly).map((r) => asPattern(`${r.method} ${r.path}`)))].sort();
    expect(policyRoutes(t, 'ApiClientPolicy')).toEqual(appRoutes);
    expect(appRoutes.some((r) => r.includes('/codec'))).toBe(false);
    expect(policyRoutes(t, 'ApiOperatorPolicy')).toEqual(operatorRoutes.sort());
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'Api-CodecOperators' });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'Api-ApiClients' });
    // A wildcard only stands for a path variable: no ARN lets a caller reach the codec through a pattern.
    for (const r of policyRoutes(t, 'ApiClientPolicy')) expect(r).not.toMatch(/^POST \/\*|^\* /);
  });

  it('outputs the two policies to attach, and keeps 403 for unsigned requests and for a caller without the grant', () => {
    expect(Object.keys(t.findOutputs('*')).filter((k) => k.endsWith('PolicyArn')).sort()).toEqual(['ApiClientPolicyArn', 'CodecOperatorPolicyArn']);
    expect(Object.keys(t.findOutputs('ApiKeyId'))).toEqual([]);
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '403' });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'ACCESS_DENIED', StatusCode: '403' });
  });

  it('still throttles the stage, with tracing off when the settings say so, and no CORS without origins', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: false,
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    expect([...all.keys()].some((k) => k.startsWith('OPTIONS '))).toBe(false);
    const api = t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^The HTTP API') } });
    expect(Object.values(api).map((f) => (f as Resource<{ Environment: { Variables: Record<string, string> } }>).Properties.Environment.Variables.CORS_ALLOWED_ORIGINS)).toEqual([undefined]);
  });
});

describe('HttpApi on AWS, JWT bearer tokens', () => {
  const jwt = { apiAuth: 'jwt' as const, jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', jwtAudience: ['app-client-1'], jwtCodecGroup: 'operators' };
  const t = synth(jwt);

  it('puts every method behind one token authorizer that reads the Authorization header, cached a minute', () => {
    for (const [key, m] of methods(t)) expect([key, m.AuthorizationType, m.ApiKeyRequired ?? false]).toEqual([key, 'CUSTOM', false]);
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 60, IdentityValidationExpression: Match.stringLikeRegexp('earer') });
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('tells the authorizer the issuer, the audience, what makes an operator, and which routes are operators\' only', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('token authorizer'),
      Environment: { Variables: { JWT_ISSUER: jwt.jwtIssuer, JWT_AUDIENCE: 'app-client-1', JWT_CODEC_SCOPE: 'stepless/codec', JWT_CODEC_GROUP: 'operators', OPERATOR_ROUTES: 'POST /codec/decode,POST /codec/encode' } },
    });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'ACCESS_DENIED', StatusCode: '403' });
  });
});

describe('HttpApi on AWS, no authorization', () => {
  const t = synth({ apiAuth: 'none' });

  it('leaves every method open but the codec (SigV4 and the operators\' policy), with no usage plan, and answers unknown routes 404', () => {
    for (const [key, m] of methods(t)) expect([key, m.AuthorizationType, m.ApiKeyRequired ?? false]).toEqual([key, operatorRoutes.includes(key) ? 'AWS_IAM' : 'NONE', false]);
    expect(policyRoutes(t, 'ApiOperatorPolicy')).toEqual(operatorRoutes.sort());
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
  });
});

describe('HttpApi locally (LocalStack)', () => {
  const t = synth({ target: 'local' });

  it('serves the same routes, open, throttled, with the stage variable, and no edge validation or access logs', () => {
    const all = methods(t);
    expect([...all.keys()].sort()).toEqual(gatewayRoutes.map((r) => `${r.method} ${r.path}`).sort());
    for (const m of all.values()) expect([m.AuthorizationType, m.ApiKeyRequired ?? false, m.RequestValidatorId]).toEqual(['NONE', false, undefined]);
    // LocalStack would answer a failed validation {"message":"Invalid request body"}, hiding the handler's per-field errors.
    t.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    t.resourceCountIs('AWS::ApiGateway::Model', 0);
    const [stage] = resources(t, 'AWS::ApiGateway::Stage');
    expect(stage![1].Properties).toMatchObject({ StageName: 'local', Variables: { environment: 'local' }, MethodSettings: [expect.objectContaining({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })] });
    expect(stage![1].Properties.AccessLogSetting).toBeUndefined();
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
  });

  it("keeps the ApiUrl output LocalStack's path-style URL", () => {
    t.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', ['http://127.0.0.1:4566/_aws/execute-api/', { Ref: Match.stringLikeRegexp('^Api') }, '/local/']] } });
  });
});

describe('gatewayModelSchema', () => {
  it('is never stricter than zod: transformed strings keep only their type, formats go, integers accept 1.0', () => {
    const schema = gatewayModelSchema(z.strictObject({ name: z.string().trim().min(1).max(3), email: z.email(), n: z.number().int().min(1) })) as { properties: Record<string, Record<string, unknown>>; additionalProperties: unknown };
    expect(schema.properties.name).toEqual({ type: 'string' });
    expect(schema.properties.email!.format).toBeUndefined();
    expect(schema.properties.email!.pattern).toEqual(expect.any(String));
    expect(schema.properties.n).toMatchObject({ type: 'number', multipleOf: 1, minimum: 1 });
    expect(schema.additionalProperties).toBe(false);
  });

  it('refuses a recursive schema, which would need a $ref', () => {
    const node: z.ZodType = z.lazy(() => z.object({ children: z.array(node) }));
    expect(() => gatewayModelSchema(node)).toThrow('$ref');
  });
});

describe('HttpApi construct', () => {
  const build = (routes: HttpApiProps['routes']) => {
    const stack = new Stack(new App(), 'Bare');
    const handler = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    new HttpApi(stack, 'Api', { target: 'aws', handler, routes, stageName: 'test', auth: 'none', throttle: { rateLimit: 1, burstLimit: 1 }, corsOrigins: [] });
    return Template.fromStack(stack);
  };

  it('checks required headers and query parameters at the edge', () => {
    const t = build([{ method: 'POST', path: '/things', headers: { 'Idempotency-Key': { required: true } }, query: { dryRun: {} } }]);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', RequestParameters: { 'method.request.header.Idempotency-Key': true } });
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { Name: 'parameters', ValidateRequestBody: false, ValidateRequestParameters: true });
  });

  it('refuses routes that name one path level differently (API Gateway would fail the deployment)', () => {
    expect(() => build([{ method: 'GET', path: '/orders/{orderId}' }, { method: 'POST', path: '/orders/{id}/cancel' }])).toThrow('routes disagree on the path variable under /orders: {orderId} and {id}');
  });
});
