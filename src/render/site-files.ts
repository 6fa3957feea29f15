import { utimesSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SERVER_FILE, SITES_FOLDER } from './render-sites.js';

/** A site no declaration names any more, still served from its files until `until`. */
export interface RetainedSite {
  id: string;
  until: Date;
}

/**
 * The sites whose files are in nginx/sites/ but which no declaration names now (a labelled container stopped): kept,
 * and so still served, until `graceMs` after they were last declared. The files' modification time is that moment
 * (touchSiteFiles sets it at every render), so the grace survives a restart of certkit.
 */
export async function retainedSites(
  projectDir: string,
  declared: ReadonlySet<string>,
  now: Date,
  graceMs: number,
): Promise<RetainedSite[]> {
  const retained: RetainedSite[] = [];
  for (const name of await siteFileNames(projectDir)) {
    if (!name.endsWith('.https.conf')) continue;
    const id = name.slice(0, -'.https.conf'.length);
    if (declared.has(id)) continue;
    const seen = await stat(join(projectDir, SITES_FOLDER, name)).then(
      (info) => info.mtime,
      () => undefined,
    );
    const until = seen ? new Date(Math.min(seen.getTime() + graceMs, 8.64e15)) : undefined;
    if (until && until.getTime() > now.getTime()) retained.push({ id, until });
  }
  return retained;
}

/** The names the kept sites' files serve (their first server_name line). */
export async function retainedSiteNames(projectDir: string, retained: readonly RetainedSite[]): Promise<string[]> {
  const texts = await Promise.all(
    retained.map(({ id }) => readFile(join(projectDir, SITES_FOLDER, `${id}.https.conf`), 'utf8').catch(() => '')),
  );
  return texts.flatMap((text) => /^\s*server_name ([^;]*);/m.exec(text)?.[1]?.split(/\s+/).filter(Boolean) ?? []);
}

/**
 * Marks the declared sites' files as seen now. Synchronous, as writeRenderedFiles reads them: two thousand tiny calls
 * cost milliseconds this way and a second through promises on a busy machine.
 */
export function touchSiteFiles(projectDir: string, outputs: readonly string[], now: Date): void {
  for (const output of outputs) if (output.startsWith(`${SITES_FOLDER}/`)) utimesSync(join(projectDir, output), now, now);
}

/** Removes the site files neither rendered nor retained, and the default server when it was not rendered. */
export async function removeStaleSiteFiles(projectDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const candidates = [...(await siteFileNames(projectDir)).map((name) => `${SITES_FOLDER}/${name}`), DEFAULT_SERVER_FILE];
  const removed: string[] = [];
  for (const output of candidates.filter((candidate) => !keep.has(candidate))) {
    const gone = await rm(join(projectDir, output)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (gone) removed.push(output);
  }
  return removed;
}

async function siteFileNames(projectDir: string): Promise<string[]> {
  return (await readdir(join(projectDir, SITES_FOLDER)).catch(() => [] as string[])).filter((name) => name.endsWith('.conf'));
}
