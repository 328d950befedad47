/**
 * The API Gateway token authorizer for apiAuth=jwt: verifies the bearer token (api/auth/jwt.ts) and
 * answers with a policy for the whole stage, so API Gateway may cache it per token. Applications get
 * every route but the operator-only ones (the codec), which the policy denies unless the token holds
 * the codec scope or group. Configuration: JWT_ISSUER, JWT_AUDIENCE (comma-separated),
 * JWT_CODEC_SCOPE, JWT_CODEC_GROUP (optional), OPERATOR_ROUTES ("POST /codec/decode,...").
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { IssuerKeys, isOperator, JwtError, verifyJwt, type JwtSettings } from './auth/jwt';

export interface AuthorizerConfig extends JwtSettings {
  /** Operator-only routes as "METHOD /path" (path variables as `*`). */
  readonly operatorRoutes: readonly string[];
}

export function authorizerConfigFromEnv(env: NodeJS.ProcessEnv): AuthorizerConfig {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set: the JWT authorizer needs it (infra/constructs/http-api.ts sets it)`);
    return v;
  };
  return {
    issuer: need('JWT_ISSUER'),
    audience: need('JWT_AUDIENCE').split(',').map((a) => a.trim()).filter(Boolean),
    codecScope: need('JWT_CODEC_SCOPE'),
    ...(env.JWT_CODEC_GROUP ? { codecGroup: env.JWT_CODEC_GROUP } : {}),
    operatorRoutes: (env.OPERATOR_ROUTES ?? '').split(',').map((r) => r.trim()).filter(Boolean),
  };
}

/**
 * The policy for a verified caller: Invoke on every method of the stage the request came through,
 * and an explicit Deny of the operator routes for a caller who is not an operator.
 */
export function stagePolicy(methodArn: string, principalId: string, operator: boolean, operatorRoutes: readonly string[]): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path...>
  const [apiArn, stage] = methodArn.split('/');
  if (!apiArn || !stage) throw new Error(`unexpected methodArn ${methodArn}`);
  const statements: APIGatewayAuthorizerResult['policyDocument']['Statement'] = [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${apiArn}/${stage}/*`] }];
  if (!operator && operatorRoutes.length > 0) {
    statements.push({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: operatorRoutes.map((r) => { const [method, path] = r.split(' '); return `${apiArn}/${stage}/${method}${path}`; }) });
  }
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: statements }, context: { operator: String(operator) } };
}

let config: AuthorizerConfig | undefined;
let keys: IssuerKeys | undefined;

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  config ??= authorizerConfigFromEnv(process.env);
  keys ??= new IssuerKeys(config.issuer);
  const token = /^Bearer\s+(\S+)$/i.exec(event.authorizationToken ?? '')?.[1];
  try {
    if (!token) throw new JwtError('the Authorization header is not "Bearer <token>"');
    const claims = await verifyJwt(token, config, keys);
    const operator = isOperator(claims, config);
    return stagePolicy(event.methodArn, typeof claims.sub === 'string' ? claims.sub : 'unknown', operator, config.operatorRoutes);
  } catch (err) {
    // Why a token was refused goes to the log; the caller only learns 401 (API Gateway's "Unauthorized" contract).
    if (!(err instanceof JwtError)) throw err;
    console.warn(JSON.stringify({ level: 'warn', msg: 'bearer token refused', reason: err.message, methodArn: event.methodArn }));
    throw new Error('Unauthorized');
  }
}
