// Writes docs/openapi.json from the routes, so API changes show in review, and the web app's types of the API's
// answers from it (scripts/web-api-types.ts); a test checks both are current.
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { renderWebApiTypes, WEB_API_TYPES } from './web-api-types.js';

const database = openDatabase('sqlite::memory:');
const app = await buildApp(loadConfig({ ROSTER_LOG_LEVEL: 'silent' }), { database });
await app.ready();
const json = JSON.stringify(app.swagger(), null, 2) + '\n';
writeFileSync(new URL('../docs/openapi.json', import.meta.url), json);
// From the document as written (and as the test reads it back), not the live object.
writeFileSync(WEB_API_TYPES, await renderWebApiTypes(JSON.parse(json)));
await app.close();
await database.close();
