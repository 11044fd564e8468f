import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';
import { createLogger, openMigrated, runWorker, serve } from './server.js';
import { createCompany } from './features/accounts/accounts.service.js';
import { loadDemoProfiles } from './features/demo/demo-data.js';
import { runExportCommand } from './features/exports/export-cli.js';
import { runImportCommand } from './features/uploads/import-cli.js';
import { applyDeactivationDay, applyRecentDeactivations } from './features/messaging/deactivations.js';
import { checkDay } from './time.js';
import { createSmsGateway } from './features/messaging/gateways/index.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
    return n;
  };
}

const program = new Command('roster').description('Roster: the profiles database for SMS programs').showHelpAfterError();

program.command('serve').description('serve the web app and API (and run a job worker in-process)').action(async () => {
  await serve(loadConfig());
});

program.command('worker').description('run background jobs without serving HTTP').action(async () => {
  await runWorker(loadConfig());
});

program.command('migrate').description('bring the database schema up to date').action(async () => {
  const config = loadConfig();
  const database = await openMigrated(config, createLogger(config));
  await database.close();
});

const company = program.command('company').description('manage companies (tenants)');
company
  .command('create')
  .description('create a company with an admin user; prints {"companyId","apiKey"}')
  .requiredOption('--name <name>', 'company name')
  .requiredOption('--admin-email <email>', 'the admin user’s email (their login)')
  .requiredOption('--admin-password <password>', 'the admin user’s password (at least 8 characters)')
  .option('--country <code>', 'default country for phone numbers written without +code', 'US')
  .action(async (options: { name: string; adminEmail: string; adminPassword: string; country: string }) => {
    const config = loadConfig();
    const database = await openMigrated(config, createLogger({ ...config, logLevel: 'warn' }));
    try {
      const created = await createCompany(database, { name: options.name, adminEmail: options.adminEmail, adminPassword: options.adminPassword, defaultCountry: options.country });
      process.stdout.write(JSON.stringify({ companyId: created.companyId, apiKey: created.apiKey }) + '\n');
    } finally {
      await database.close();
    }
  });

program
  .command('demo')
  .description('load deterministic, realistic demo profiles into a company')
  .requiredOption('--company <id>', 'company id', positiveInt('--company'))
  .requiredOption('--profiles <n>', 'how many profiles', positiveInt('--profiles'))
  .option('--seed <n>', 'random seed (same seed, same profiles)', positiveInt('--seed'), 1)
  .action(async (options: { company: number; profiles: number; seed: number }) => {
    const config = loadConfig();
    const database = await openMigrated(config, createLogger({ ...config, logLevel: 'warn' }));
    try {
      const exists = await database.db.selectFrom('companies').select('id').where('id', '=', options.company).executeTakeFirst();
      if (!exists) throw new AppError('not_found', `--company ${options.company}: no such company (create one with: roster company create)`);
      const started = Date.now();
      const result = await loadDemoProfiles(database, options.company, options.profiles, {
        seed: options.seed,
        onProgress: (done) => process.stderr.write(`\r${done.toLocaleString('en-US')} / ${options.profiles.toLocaleString('en-US')}`),
      });
      process.stderr.write('\n');
      await database.refreshStatistics();
      process.stdout.write(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }) + '\n');
    } finally {
      await database.close();
    }
  });

program
  .command('export')
  .description('write the profiles a Profiles-list query matches to a CSV file (SPEC §6 columns), without the job queue')
  .requiredOption('--company <id>', 'company id', positiveInt('--company'))
  .requiredOption('--out <file>', 'the CSV file to write (- for standard output); it appears only once complete')
  .option('--search <text>', 'part of a name, email or phone number, as the Profiles search box')
  .option('--subscription-status <status>', 'all, active, former, none, opted_out, synced or invalid')
  .option('--first-seen-type <types>', 'comma-separated first seen types, e.g. "CRM,Opted in"')
  .option('--undeliverable-reason <reasons>', 'comma-separated opt-out reasons, e.g. "Hard Bounce"')
  .option('--custom-field <condition>', 'repeatable <field id>:<op>[:<value>], as the list API', (value: string, previous: string[] = []) => [...previous, value])
  .option('--order <order>', 'desc (newest first seen first, the default) or asc')
  .action(async (options: Parameters<typeof runExportCommand>[1]) => {
    const config = loadConfig();
    const database = await openMigrated(config, createLogger({ ...config, logLevel: 'warn' }));
    try {
      const result = await runExportCommand(database, options, { stdout: process.stdout, stderr: process.stderr });
      (options.out === '-' ? process.stderr : process.stdout).write(JSON.stringify(result) + '\n');
    } finally {
      await database.close();
    }
  });

program
  .command('import')
  .description('upload a CSV file of profiles into a group (SPEC §7), as the upload screen does, without the job queue; prints the counts as JSON')
  .argument('<file>', 'the CSV file (a header row naming the columns; a phone column is required)')
  .requiredOption('--company <id>', 'company id', positiveInt('--company'))
  .requiredOption('--group <name>', 'the uploaded group the rows go into (created if there is none of that name)')
  .option('--map <column=field>', 'repeatable: the field of a column (phone_number, first_name, … or custom:<field name>; empty skips it)', (value: string, previous: string[] = []) => [...previous, value])
  .action(async (file: string, options: { company: number; group: string; map?: string[] }) => {
    const config = loadConfig();
    const database = await openMigrated(config, createLogger({ ...config, logLevel: 'warn' }));
    try {
      const result = await runImportCommand(database, file, options, { stderr: process.stderr });
      process.stdout.write(JSON.stringify({ upload_id: result.id, group_id: result.group_id, status: result.status, error: result.error, counts: result.counts, seconds: result.seconds }) + '\n');
      if (result.status !== 'done') process.exitCode = 1;
    } finally {
      await database.close();
    }
  });

program
  .command('deactivations')
  .description('apply the SMS gateway\'s deactivation feed for a day (SPEC §4): its numbers\' profiles become Phone was Deactivated; prints what it did as JSON')
  .option('--day <YYYY-MM-DD>', 'the UTC day (default: the last few finished days not applied yet, as the server does hourly)')
  .action(async (options: { day?: string }) => {
    const config = loadConfig();
    const database = await openMigrated(config, createLogger({ ...config, logLevel: 'warn' }));
    try {
      const gateway = createSmsGateway(config.sms);
      const days = options.day !== undefined ? [await applyDeactivationDay(database, gateway, checkDay(options.day))] : await applyRecentDeactivations(database, gateway);
      process.stdout.write(JSON.stringify({ gateway: gateway.name, days }) + '\n');
      if (days.some((d) => d.outcome === 'failed')) process.exitCode = 1;
    } finally {
      await database.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof AppError) process.stderr.write(`roster: ${error.message}\n`);
  else process.stderr.write(`roster: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
