// Writes docs/openapi.json from the routes, so API changes show in review; a test checks it is current.
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';

const database = openDatabase('sqlite::memory:');
const app = await buildApp(loadConfig({ ROSTER_LOG_LEVEL: 'silent' }), { database });
await app.ready();
writeFileSync(new URL('../docs/openapi.json', import.meta.url), JSON.stringify(app.swagger(), null, 2) + '\n');
await app.close();
await database.close();
