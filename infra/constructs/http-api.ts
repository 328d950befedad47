import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { z } from 'zod';
import type { ApiAuth, JwtAuthSettings } from '../stacks/deployment-config';
import { Target } from '../stacks/target';
import type { IEnvironmentGrantee } from './environment-grantee';

/** A route as the gateway needs it: an API route spec (api/specs/route-spec.ts) has this shape (and more). */
export interface HttpApiRoute {
  readonly method: string;
  /** A path template: `/orders/{orderId}`; a last segment `{name+}` matches the rest of the path. */
  readonly path: string;
  /** The JSON body's schema: the gateway validates bodies against a model generated from it. */
  readonly body?: z.ZodType;
  /** Headers and query parameters; those marked required are checked at the gateway too. */
  readonly headers?: Readonly<Record<string, { readonly required?: boolean }>>;
  readonly query?: Readonly<Record<string, { readonly required?: boolean }>>;
  /** Operators only (the codec): on AWS it needs a permission applications do not hold, whatever `auth` is. */
  readonly operatorOnly?: boolean;
}

export interface HttpApiProps {
  readonly target: Target;
  /** The function behind every route (Lambda proxy integration); with CORS on it gets CORS_ALLOWED_ORIGINS. */
  readonly handler: lambda.IFunction & Pick<IEnvironmentGrantee, 'addEnvironment'>;
  readonly routes: readonly HttpApiRoute[];
  /** The stage, named after the environment; also the stage variable `environment`. */
  readonly stageName: string;
  readonly description?: string;
  /**
   * iam: SigV4-signed requests (execute-api:Invoke, granted by the managed policies this creates);
   * apiKey: a key and a usage plan; jwt: bearer tokens checked by `jwt.authorizer`; none: open.
   */
  readonly auth: ApiAuth;
  /** auth=jwt: the token authorizer function (api/jwt-authorizer.ts) and what it checks. */
  readonly jwt?: { readonly settings: JwtAuthSettings; readonly authorizer: lambda.Function };
  /** Stage-wide steady-state requests per second and burst (and the usage plan's, per key). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per API key per day (usage plan quota); unset: none. */
  readonly quotaPerDay?: number;
  /** Origins allowed by CORS; empty: no preflight and no CORS headers. */
  readonly corsOrigins: readonly string[];
  readonly corsAllowMethods?: readonly string[];
  readonly corsAllowHeaders?: readonly string[];
  readonly corsMaxAge?: Duration;
  /** X-Ray tracing of the stage (AWS only). */
  readonly tracing?: boolean;
  /** How long access logs are kept (AWS only). Default one year. */
  readonly accessLogRetention?: logs.RetentionDays;
  /** Default: RETAIN on AWS (logs are evidence), DESTROY locally. */
  readonly removalPolicy?: RemovalPolicy;
}

/** The `$context` fields of each access log line: who called what, the outcome, and how long it took. Never bodies. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  apiKeyId: '$context.identity.apiKeyId',
  userArn: '$context.identity.userArn',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * The HTTP API as API Gateway (REST, v1) serves it: a resource and method per route of the route
 * table, each a Lambda proxy integration, so an unknown path or method is refused at the edge and
 * never bills a Lambda call. Bodies are validated against models generated from the same zod
 * schemas the handler checks (which still runs its own, richer validation), and every error the
 * gateway itself answers has the API's error shape: `{ "error": "...", "requestId": "..." }`.
 *
 * LocalStack (target local) enforces validators but answers `{"message":"Invalid request body"}`
 * whatever the gateway response says, which would hide the handler's per-field errors; so locally
 * the handler alone validates. It answers an unknown route with the gateway response's status but
 * its own fixed body, and enforces neither the stage's throttling nor usage plans (4.13.1). Access
 * logs, metrics and tracing are AWS only.
 */
export class HttpApi extends Construct {
  readonly restApi: apigateway.RestApi;
  /** The stage URL: https://<id>.execute-api.<region>.amazonaws.com/<stage>/ */
  readonly url: string;
  /** apiKey auth: the key created for the first client, and the usage plan it belongs to. */
  readonly apiKey?: apigateway.IApiKey;
  readonly usagePlan?: apigateway.UsagePlan;
  readonly accessLogGroup?: logs.LogGroup;
  /** Routes that need SigV4: every route with auth=iam; on AWS the operator-only routes with apiKey or none. */
  readonly iamRoutes: readonly HttpApiRoute[];
  /** auth=iam: execute-api:Invoke on every route but the operator-only ones; attach it to applications' roles. */
  readonly clientPolicy?: iam.ManagedPolicy;
  /** execute-api:Invoke on the operator-only routes (when they are IAM-authorized); attach it to operators' roles only. */
  readonly operatorPolicy?: iam.ManagedPolicy;
  private readonly authorizer?: apigateway.TokenAuthorizer;
  private readonly validators = new Map<string, apigateway.RequestValidator>();

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const aws = props.target === 'aws';
    const cors = props.corsOrigins.length > 0;

    if (aws) {
      // One year: long enough for the security investigation of an incident found months later,
      // the same as the audit anchors' default retention. CloudWatch Logs encrypts them at rest; a
      // customer-managed key would need a key policy bound to the log group's name for little gain,
      // as the lines hold no bodies (data tracing is off), only ids, addresses and timings.
      this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
        retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
    }

    // "Default": the REST API keeps the logical id the stack's LambdaRestApi had, so an existing
    // deployment updates its API (and keeps its URL) instead of replacing it.
    this.restApi = new apigateway.RestApi(this, 'Default', {
      // On AWS named after the stack (CDK's default is the construct id, "Default", in every stack):
      // its metrics' ApiName dimension then names this API. Locally it keeps its name: LocalStack's
      // CloudFormation replaces the stage of a renamed API and fails, as the stage already exists.
      ...(aws ? { restApiName: Stack.of(this).stackName } : {}),
      description: props.description,
      // Locally there is no CloudWatch role to attach; on AWS API Gateway needs one for logging.
      cloudWatchRole: aws,
      deployOptions: {
        stageName: props.stageName,
        variables: { environment: props.stageName },
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        // Execution logs of errors only, never with bodies (data tracing). Per-method metrics stay
        // off: they are billed as custom metrics (~21 methods × 7), and the API-wide Count, 4XX,
        // 5XX and Latency the dashboard shows come free.
        dataTraceEnabled: false,
        ...(aws
          ? {
              loggingLevel: apigateway.MethodLoggingLevel.ERROR,
              metricsEnabled: false,
              tracingEnabled: props.tracing ?? false,
              accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup!),
              accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
            }
          : {}),
      },
      ...(cors
        ? {
            // CDK's preflight methods take neither a key nor IAM auth: a browser never sends them.
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [...(props.corsAllowMethods ?? apigateway.Cors.ALL_METHODS)],
              allowHeaders: [...(props.corsAllowHeaders ?? apigateway.Cors.DEFAULT_HEADERS)],
              maxAge: props.corsMaxAge ?? Duration.minutes(10),
            },
          }
        : {}),
    });
    // The construct's own "Endpoint" output is the execute-api host name, which needs DNS locally;
    // the stack outputs the one URL to use on either target.
    this.restApi.node.tryRemoveChild('Endpoint');
    this.url = this.restApi.url;

    // The browser reads CORS answers from the function too (handler.ts).
    if (cors) props.handler.addEnvironment('CORS_ALLOWED_ORIGINS', props.corsOrigins.join(','));

    // One invoke permission for the whole API instead of two per method: the function's resource
    // policy has a size limit that ~20 methods would approach.
    const integration = new apigateway.LambdaIntegration(props.handler, { scopePermissionToMethod: false });
    checkPathVariables(props.routes);
    if (props.auth === 'jwt') this.authorizer = this.tokenAuthorizer(props);
    // On AWS the codec is never open nor behind a shared key: with apiKey or none it takes SigV4 and the operators' policy.
    const needsIam = (route: HttpApiRoute) => props.auth === 'iam' || (aws && route.operatorOnly === true && props.auth !== 'jwt');
    this.iamRoutes = props.routes.filter(needsIam);
    for (const route of props.routes) this.addRoute(route, integration, aws, this.methodAuth(route, props.auth, needsIam(route)));
    if (props.auth === 'iam') this.clientPolicy = this.invokePolicy('ClientPolicy', 'ApiClients', props.routes.filter((r) => !r.operatorOnly), 'applications: every route but the operator-only ones (the codec)');
    const operatorIamRoutes = this.iamRoutes.filter((r) => r.operatorOnly);
    if (operatorIamRoutes.length > 0) this.operatorPolicy = this.invokePolicy('OperatorPolicy', 'CodecOperators', operatorIamRoutes, 'operators: the operator-only routes (the codec, which decrypts workflow payloads)');

    this.addGatewayResponses(props);
    this.acknowledgeNagFindings(props.auth);

    if (props.auth === 'apiKey') {
      this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
        description: `Clients of the ${props.stageName} API: the stage's throttle per key${props.quotaPerDay ? `, ${props.quotaPerDay} requests a day` : ''}`,
        throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
        ...(props.quotaPerDay ? { quota: { limit: props.quotaPerDay, period: apigateway.Period.DAY } } : {}),
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
      // The first client's key; API Gateway generates its value (read it with get-api-key --include-value).
      this.apiKey = this.restApi.addApiKey('ApiKey', { description: `Stepless ${props.stageName} API: first client key` });
      this.usagePlan.addApiKey(this.apiKey);
    }
  }

  /** How a route's method is authorized. */
  private methodAuth(route: HttpApiRoute, auth: ApiAuth, iamAuth: boolean): apigateway.MethodOptions {
    if (iamAuth) return { authorizationType: apigateway.AuthorizationType.IAM };
    if (auth === 'jwt') return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: this.authorizer! };
    return { authorizationType: apigateway.AuthorizationType.NONE, apiKeyRequired: auth === 'apiKey' };
  }

  /**
   * The token authorizer (auth=jwt). Its answer is cached per token for a minute, which bounds how long
   * a token outlives its expiry; the policy it returns covers the whole stage (api/jwt-authorizer.ts),
   * so a cached answer is right for every route.
   */
  private tokenAuthorizer(props: HttpApiProps): apigateway.TokenAuthorizer {
    if (!props.jwt) throw new Error('HttpApi: auth=jwt needs the jwt settings and the authorizer function');
    const { settings, authorizer } = props.jwt;
    const env: Record<string, string> = {
      JWT_ISSUER: settings.issuer,
      JWT_AUDIENCE: settings.audience.join(','),
      JWT_CODEC_SCOPE: settings.codecScope,
      ...(settings.codecGroup ? { JWT_CODEC_GROUP: settings.codecGroup } : {}),
      OPERATOR_ROUTES: props.routes.filter((r) => r.operatorOnly).map((r) => `${r.method} ${resourcePattern(r.path)}`).join(','),
    };
    for (const [k, v] of Object.entries(env)) authorizer.addEnvironment(k, v);
    return new apigateway.TokenAuthorizer(this, 'JwtAuthorizer', {
      handler: authorizer,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      // A header that is not "Bearer <token>" is refused with 401 before the function is billed.
      validationRegex: '^[Bb]earer [-0-9A-Za-z._~+/]+=*$',
      resultsCacheTtl: Duration.minutes(1),
    });
  }

  /** A managed policy allowing execute-api:Invoke on exactly these routes of this stage. */
  private invokePolicy(id: string, name: string, routes: readonly HttpApiRoute[], who: string): iam.ManagedPolicy {
    const stage = this.restApi.deploymentStage.stageName;
    const resources = [...new Set(routes.map((r) => `${r.method} ${resourcePattern(r.path)}`))].map((key) => {
      const [method, path] = key.split(' ') as [string, string];
      return this.restApi.arnForExecuteApi(method, path, stage);
    });
    const policy = new iam.ManagedPolicy(this, id, {
      managedPolicyName: `${Stack.of(this).stackName}-${name}`,
      description: `Invoke the ${stage} API as ${who}`,
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
    });
    // The finding ids cdk-nag gives these ARNs: one per route whose path has a variable.
    const stack = Stack.of(this);
    const apiId = stack.getLogicalId(this.restApi.node.defaultChild as apigateway.CfnRestApi);
    const stageId = stack.getLogicalId(this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage);
    const wildcards = [...new Set(routes.map((r) => `${r.method}${resourcePattern(r.path)}`))].filter((key) => key.includes('*'));
    Validations.of(policy).acknowledge(
      ...wildcards.map((key) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/<${stageId}>/${key}]`,
        reason: `The * stands for the path variable of ${key.split('/')[0]} ${key.slice(key.indexOf('/'))}: one route of this API and stage, nothing else.`,
      })),
    );
    return policy;
  }

  private addRoute(route: HttpApiRoute, integration: apigateway.Integration, validate: boolean, auth: apigateway.MethodOptions): void {
    const resource = this.restApi.root.resourceForPath(route.path);
    const requestParameters = {
      ...requiredParameters('header', route.headers),
      ...requiredParameters('querystring', route.query),
    };
    const checksParameters = Object.keys(requestParameters).length > 0;
    const model = validate && route.body ? this.bodyModel(route) : undefined;
    const validator = validate && (model || checksParameters) ? this.validator(model !== undefined, checksParameters) : undefined;
    resource.addMethod(route.method, integration, {
      ...auth,
      ...(model ? { requestModels: { 'application/json': model } } : {}),
      ...(checksParameters ? { requestParameters } : {}),
      ...(validator ? { requestValidator: validator } : {}),
    });
  }

  private bodyModel(route: HttpApiRoute): apigateway.Model {
    return this.restApi.addModel(`${modelName(route)}Model`, {
      modelName: modelName(route),
      contentType: 'application/json',
      description: `The body of ${route.method} ${route.path}`,
      schema: gatewayModelSchema(route.body!),
    });
  }

  /** The cdk-nag AwsSolutions findings this API accepts, and why (test/unit/cdk-nag.test.ts). */
  private acknowledgeNagFindings(auth: ApiAuth): void {
    const api = Validations.of(this.restApi);
    api.acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason: 'Validators are attached per method: the body against its model where a route has a body, parameters where a route requires any; the rule only recognises one validator doing both.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-wide role API Gateway needs to write execution and access logs; AWS documents this managed policy for it.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'A WAF web ACL is an account-level choice (and cost); attach yours to the stage. Throttling and, with apiKey, a usage plan limit abuse meanwhile.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'IAM SigV4 is the default; JWTs from a Cognito user pool (or any OIDC issuer) go through the token authorizer with apiAuth=jwt, which one verifier serves for every issuer.',
      },
    );
    if (auth === 'apiKey') {
      api.acknowledge({ id: 'AwsSolutions-APIG4', reason: 'Every method requires an API key under a usage plan (apiAuth=apiKey) and the codec methods IAM SigV4; -c apiAuth=iam (the default) signs every call.' });
    }
  }

  /** One validator per combination in use: body, parameters, or both. */
  private validator(body: boolean, parameters: boolean): apigateway.RequestValidator {
    const name = body && parameters ? 'body-and-parameters' : body ? 'body' : 'parameters';
    let validator = this.validators.get(name);
    if (!validator) {
      validator = this.restApi.addRequestValidator(`${name}-validator`, { requestValidatorName: name, validateRequestBody: body, validateRequestParameters: parameters });
      this.validators.set(name, validator);
    }
    return validator;
  }

  /**
   * Errors the gateway answers itself, in the API's error shape (api/specs/route-spec.ts errorSchema):
   * `error` says what was wrong, `errors` names the rule a body broke, `requestId` finds the access
   * log line. Gateway response templates are plain substitution (no VTL): `messageString` comes
   * quoted, `validationErrorString` does not.
   */
  private addGatewayResponses(props: HttpApiProps): void {
    // Browsers only read a cross-origin error with the header; one origin (or *) can be static,
    // several cannot (a gateway response cannot choose among them): those get the handler's CORS only.
    const allowOrigin = props.corsOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${props.corsOrigins[0]}'` } : undefined;
    const body = (error: string, extra = '') => ({ 'application/json': `{"error":${error}${extra},"requestId":"$context.requestId"}` });
    const respond = (id: string, type: apigateway.ResponseType, templates: Record<string, string>, statusCode?: string) =>
      this.restApi.addGatewayResponse(id, { type, templates, ...(statusCode ? { statusCode } : {}), ...(allowOrigin ? { responseHeaders: allowOrigin } : {}) });

    respond('Default4xx', apigateway.ResponseType.DEFAULT_4XX, body('$context.error.messageString'));
    respond('Default5xx', apigateway.ResponseType.DEFAULT_5XX, body('$context.error.messageString'));
    respond(
      'BadRequestBody',
      apigateway.ResponseType.BAD_REQUEST_BODY,
      body('"invalid request body: $context.error.validationErrorString"', ',"errors":[{"field":"(body)","message":"$context.error.validationErrorString"}]'),
      '400',
    );
    respond('BadRequestParameters', apigateway.ResponseType.BAD_REQUEST_PARAMETERS, body('"invalid request: $context.error.validationErrorString"'), '400');
    // API Gateway answers an unknown path or method with 403 "Missing Authentication Token". Without
    // IAM auth that can only mean "no such route": a 404. With IAM it also means "unsigned request".
    if (props.auth === 'iam') {
      respond('MissingAuthenticationToken', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, body('"missing authentication: sign the request with AWS SigV4 (this API uses IAM authorization), and check the method and path against GET /openapi.json"'), '403');
    } else if (this.iamRoutes.length > 0) {
      respond('NoRoute', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, body('"no route for $context.httpMethod on this path, or an unsigned call to an operator route (the codec needs AWS SigV4); GET /openapi.json lists the routes"'), '404');
    } else {
      respond('NoRoute', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, body('"no route for $context.httpMethod on this path; GET /openapi.json lists the routes"'), '404');
    }
    if (this.iamRoutes.length > 0 || props.auth === 'jwt') {
      respond('AccessDenied', apigateway.ResponseType.ACCESS_DENIED, body('"access denied: these credentials do not grant this route (the codec routes need the operators\' permission)"'), '403');
    }
    if (props.auth === 'jwt') {
      respond('Unauthorized', apigateway.ResponseType.UNAUTHORIZED, body(`"a valid bearer token from ${props.jwt!.settings.issuer} is required in the Authorization header"`), '401');
    }
    if (props.auth === 'apiKey') {
      respond('InvalidApiKey', apigateway.ResponseType.INVALID_API_KEY, body('"a valid API key is required in the x-api-key header"'), '403');
      if (props.quotaPerDay) respond('QuotaExceeded', apigateway.ResponseType.QUOTA_EXCEEDED, body(`"this API key has used its ${props.quotaPerDay} requests for today; the quota resets daily"`), '429');
    }
    respond('Throttled', apigateway.ResponseType.THROTTLED, body('"too many requests: the rate limit was exceeded; retry with exponential backoff"'), '429');
  }
}

/**
 * The API Gateway model (JSON Schema draft 4) of a zod schema, never stricter than the schema
 * itself, so the edge cannot refuse a body the handler would accept:
 * - refinements (checksums, cross-field rules) have no JSON Schema form and are left to the handler,
 *   and so are the JSON Schema forms some are given with `.meta()` for the OpenAPI document, so that
 *   a broken cross-field rule is answered by the handler's 400, which names it;
 * - a string that is transformed before its checks (`.trim().min(1)`) keeps only its type, since
 *   lengths and patterns apply to the transformed value;
 * - `format` is dropped (the validator's idea of an email differs from zod's; zod's own pattern stays);
 * - `integer` becomes a number that is a multiple of 1, because a draft 4 validator refuses `1.0`
 *   (as a Python client sends it), which JSON.parse and zod accept as 1.
 */
/** Metadata keys (zod `.meta()`) that only document; any other is a JSON Schema rule for the OpenAPI document. */
const DOCUMENTATION_KEYWORDS = new Set(['description', 'title', 'examples', 'deprecated', 'id']);

export function gatewayModelSchema(schema: z.ZodType): apigateway.JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-04',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const checks = (zodSchema._zod.def as { checks?: Array<{ _zod: { def: { check: string } } }> }).checks ?? [];
      const js = jsonSchema as Record<string, unknown>;
      if (checks.some((c) => c._zod.def.check === 'overwrite')) for (const k of ['minLength', 'maxLength', 'pattern']) delete js[k];
      delete js.format;
      for (const keyword of Object.keys(z.globalRegistry.get(zodSchema) ?? {})) if (!DOCUMENTATION_KEYWORDS.has(keyword)) delete js[keyword];
      if (js.type === 'integer') Object.assign(js, { type: 'number', multipleOf: 1 });
    },
  }) as Record<string, unknown>;
  if (JSON.stringify(json).includes('"$ref"')) {
    throw new Error('a body schema refers to itself or to a registered schema ($ref); API Gateway models are generated inline only: give the schema no id, and no recursion');
  }
  // The CDK's JsonSchema type spells $schema/$ref without the $; the mapper it runs keeps keys that have one.
  return json;
}

/** A route's path as execute-api resource ARNs match it: each path variable (`{orderId}`, `{path+}`) becomes `*`. */
function resourcePattern(path: string): string {
  return path.replace(/\{[^}]+\}/g, '*');
}

/** `POST /orders/{orderId}/approval` → `PostOrdersOrderIdApproval`: API Gateway model names are alphanumeric. */
function modelName(route: HttpApiRoute): string {
  return [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/)]
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function requiredParameters(where: 'header' | 'querystring', params: HttpApiRoute['headers']): Record<string, boolean> {
  return Object.fromEntries(
    Object.entries(params ?? {})
      .filter(([, p]) => p.required)
      .map(([name]) => [`method.request.${where}.${name}`, true]),
  );
}

/**
 * API Gateway allows one path variable per level under a parent (`/orders/{orderId}` and
 * `/orders/{id}` cannot coexist) and fails the deployment otherwise; this says so at synth time.
 */
function checkPathVariables(routes: readonly HttpApiRoute[]): void {
  const variableAt = new Map<string, string>();
  for (const route of routes) {
    const segments = route.path.split('/').filter(Boolean);
    segments.forEach((segment, i) => {
      if (!segment.startsWith('{')) return;
      const parent = `/${segments.slice(0, i).join('/')}`;
      const seen = variableAt.get(parent);
      if (seen !== undefined && seen !== segment) {
        throw new Error(`routes disagree on the path variable under ${parent}: ${seen} and ${segment} (in ${route.method} ${route.path}); API Gateway allows one name per level`);
      }
      variableAt.set(parent, segment);
    });
  }
}
