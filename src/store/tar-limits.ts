import { Transform } from 'node:stream';
import type { Header } from 'tar-stream';
import { CertkitError } from '../errors.js';

/**
 * How much an archive may unpack to. A certbot store is small (a lineage is a few KiB per version), so a backup that
 * unpacks to gigabytes is a bomb or the wrong file; reading stops at the first limit crossed, before anything is kept
 * or written.
 */
export interface TarLimits {
  /** The largest data one entry may carry, in bytes. */
  maxEntryBytes: number;
  /** The most bytes the whole archive may unpack to, tar headers and padding included. */
  maxTotalBytes: number;
  /** The most entries the archive may hold. */
  maxEntries: number;
}

const MIB = 1024 * 1024;

/** Limits for `certkit restore`: ample for a store of thousands of certificates with many versions each. */
export const RESTORE_LIMITS: TarLimits = { maxEntryBytes: 1 * MIB, maxTotalBytes: 512 * MIB, maxEntries: 200_000 };

export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${Math.round((bytes / MIB) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

const FIX = 'A certbot store is far smaller: check that this is a backup written by `certkit backup`.';

/** Counts the bytes an archive unpacks to and fails the stream as soon as they pass the limit. */
export function countUnpackedBytes(limits: TarLimits, source: string): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > limits.maxTotalBytes) {
        done(
          new CertkitError(
            'ARCHIVE_UNSAFE',
            `${source} unpacks to more than ${formatBytes(limits.maxTotalBytes)}, the limit for a certificate store; reading stopped there and nothing was written. ${FIX} If it is, and the store is really that large, raise the limit with \`certkit restore --max-size <MiB>\`.`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
}

/** Checks one entry's header against the per-entry and entry-count limits (`index` counts from 0). */
export function checkEntryLimits(header: Header, index: number, limits: TarLimits, source: string): void {
  if (index >= limits.maxEntries) {
    throw new CertkitError(
      'ARCHIVE_UNSAFE',
      `${source} holds more than ${limits.maxEntries} entries, the limit for a certificate store; nothing was written. ${FIX}`,
    );
  }
  const size = header.size ?? 0;
  if (size > limits.maxEntryBytes) {
    throw new CertkitError(
      'ARCHIVE_UNSAFE',
      `${source}: the entry ${JSON.stringify(header.name)} is ${formatBytes(size)}, over the ${formatBytes(limits.maxEntryBytes)} a file in a certificate store may hold; nothing was written. ${FIX}`,
    );
  }
}
