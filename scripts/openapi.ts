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
const document = app.swagger();
writeFileSync(new URL('../docs/openapi.json', import.meta.url), JSON.stringify(document, null, 2) + '\n');
writeFileSync(WEB_API_TYPES, await renderWebApiTypes(JSON.parse(JSON.stringify(document))));
await app.close();
await database.close();
