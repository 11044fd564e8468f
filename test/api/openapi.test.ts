import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, testApp } from '../app.js';
import { renderWebApiTypes, WEB_API_TYPES } from '../../scripts/web-api-types.js';

describeEachEngine('OpenAPI document and reference', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
  });

  it('serves an OpenAPI 3.1 document of every route, without logging in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/profiles', '/api/v1/profiles/{id}', '/api/v1/profiles/lookup', '/api/v1/custom-fields', '/api/v1/custom-fields/{id}', '/api/v1/audit-log', '/api/v1/users', '/api/v1/api-keys', '/api/v1/session', '/api/v1/company']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/api/v1/profiles'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('phone_number');
  });

  it('matches the committed docs/openapi.json (run `npm run openapi` after changing routes)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(res.json()).toEqual(committed);
  });

  it('matches the web app\'s generated types of the answers, web/src/api/openapi.ts (run `npm run openapi`)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const committed = readFileSync(WEB_API_TYPES, 'utf8');
    expect(committed).toBe(await renderWebApiTypes(res.json()));
  });

  it('serves a browsable reference at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });
});
