/**
 * A small HTTP client for the Stepless API, shared by `npm start`, the demos and the end-to-end
 * tests: JSON in, JSON out, the status and headers kept, nothing thrown for a 4xx (callers assert on it).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** `path` is relative to the API's base URL (`orders/42`); a leading slash is ignored; '' is the URL itself (a status URL). */
export function apiUrlOf(apiUrl: string, path: string): string {
  if (path === '') return apiUrl;
  return new URL(path.replace(/^\//, ''), apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();
}

export async function apiCall<T = Record<string, unknown>>(apiUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const res = await fetch(apiUrlOf(apiUrl, path), {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls a GET until `done` holds for the body; a non-200 answer or the deadline throws, with the last body. */
export async function pollUntil<T>(apiUrl: string, path: string, done: (body: T) => boolean, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    const { status, body } = await apiCall<T>(apiUrl, 'GET', path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`GET ${path}: not done after ${(opts.timeoutMs ?? 90_000) / 1000} s; last answer ${JSON.stringify(body).slice(0, 500)}`);
    await sleep(opts.intervalMs ?? 500);
  }
}
