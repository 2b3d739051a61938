import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY, AccessPolicy } from '../src/auth/decorators/access.metadata';
import { LIVENESS_PATH } from '../src/health/liveness.route';
import { TestApp, useTestApp } from './support/test-app';

interface Route {
  route: string;
  access: string;
}

/**
 * Routes Fastify serves outside Nest's router, so no guard runs for them: public by construction
 * (liveness.route.ts). Listed only if the running app really serves them.
 */
function plainRoutesOf(t: TestApp): Route[] {
  const fastify = t.app.getHttpAdapter().getInstance();
  return fastify.hasRoute({ method: 'GET', url: LIVENESS_PATH })
    ? [{ route: `GET ${LIVENESS_PATH}`, access: 'public' }]
    : [];
}

/** Every route of the running app with its declared access decision. */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = plainRoutesOf(t);
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const controller of module.controllers.values()) {
      const type = controller.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const policy = (Reflect.getMetadata(ACCESS_KEY, handler) ??
          Reflect.getMetadata(ACCESS_KEY, type)) as AccessPolicy | undefined;
        routes.push({
          route: `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`,
          access: describe_(policy),
        });
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

function describe_(policy: AccessPolicy | undefined): string {
  if (!policy) return 'UNDECLARED';
  if (policy.kind === 'authenticated' && policy.enrolment) {
    return 'authenticated, enrolment-only tokens too';
  }
  if (policy.kind !== 'authorized') return policy.kind;
  const scopes = `scopes all of [${policy.scopes.join(', ')}]`;
  return policy.roles.length ? `${scopes} and roles any of [${policy.roles.join(', ')}]` : scopes;
}

describe('access manifest', () => {
  const app = useTestApp({ REDIS_URL: '' });

  it('declares an explicit access decision on every route', () => {
    expect(routesOf(app()).filter((r) => r.access === 'UNDECLARED')).toEqual([]);
  });

  it('matches the reviewed list of who may call what', () => {
    // A change here is a change of who may call a route: review it as such.
    expect(routesOf(app()).map((r) => `${r.route.padEnd(34)} ${r.access}`)).toMatchSnapshot();
  });
});
