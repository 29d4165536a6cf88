/**
 * The new-media registry as the commands and the dashboard use it, on either store: the one-machine database file (the
 * functions of store.ts, as always) or the shared repository (`NewMediaRepo`, PostgreSQL).
 */
import type { Db } from '../store/db.ts';
import type { NewMediaRepo } from '../repo/types.ts';
import { addPost, applyRecords, deleteAccount, findAccounts, getAccount, listAccounts, listPosts, listWebsites, unitForSite, upsertAccount } from './store.ts';
import { syncSitesFile } from './sites-file.ts';

export type NewMediaRegistry = Pick<
  NewMediaRepo,
  'applyRecords' | 'syncSitesFile' | 'unitForSite' | 'listAccounts' | 'listWebsites' | 'listPosts' | 'findAccounts' | 'addPost' | 'getAccount' | 'upsertAccount' | 'deleteAccount'
>;

/** The one-machine database file as the registry. */
export function dbRegistry(db: Db): NewMediaRegistry {
  return {
    applyRecords: async (input, origin, now, opts) => applyRecords(db, input, origin, now, opts),
    syncSitesFile: async (sites, now, opts) => syncSitesFile(db, sites, now, opts),
    unitForSite: async (site) => unitForSite(db, site),
    listAccounts: async (o) => listAccounts(db, o),
    listWebsites: async (o) => listWebsites(db, o),
    listPosts: async (a) => listPosts(db, a ? [...a] : undefined),
    findAccounts: async (ref) => findAccounts(db, ref),
    addPost: async (account, p) => addPost(db, account, p),
    getAccount: async (id) => getAccount(db, id),
    upsertAccount: async (rec, origin, now, opts) => upsertAccount(db, rec, origin, now, opts),
    deleteAccount: async (id) => deleteAccount(db, id),
  };
}
