// The run history's store: every run (running, finished, stopped, failed or
// interrupted) with its config, data set, seed, curves, log, results and
// model file, in IndexedDB so a reload keeps it. Bounded: at most MAX_RUNS
// runs and MAX_BYTES of model files; past that, or when the browser refuses
// more, `add` throws an Error that says what to do, and nothing already kept
// is touched. A run in progress is kept from its start (status "running",
// checkpointed by `update`); one whose tab is gone (a reload, a crash, a
// closed tab) reads as "interrupted". Every write is announced on a
// BroadcastChannel, so every open tab's list follows.
//
// Two object stores: `runs` holds each run's record without its model (with
// the model's size in `bytes`), `models` the model files under the run's id.
// The list, the bound check and a rename read only the small records; a
// model is read when a run is reopened. Version 1 kept the model inside the
// run's record, so listing the runs read every model (issue 16: 40 ms of a
// throttled Run all's frames, growing with the history).

const DB = 'aelab';
const VERSION = 2;
const RUNS = 'runs';
const MODELS = 'models';
export const MAX_RUNS = 100;
export const MAX_BYTES = 100 * 1024 * 1024;

/**
 * Moves version 1's models out of their run records, inside the upgrade's
 * own transaction: if any step fails the browser aborts the upgrade and the
 * database stays at version 1, every run as it was.
 * @param {IDBTransaction} tx the versionchange transaction
 */
function splitModels(tx) {
  const models = tx.db.createObjectStore(MODELS);
  const cursor = tx.objectStore(RUNS).openCursor();
  cursor.onsuccess = () => {
    const c = cursor.result;
    if (!c) return;
    const { model, ...run } = c.value;
    if (model) models.put(model, c.primaryKey);
    c.update({ ...run, bytes: model?.byteLength ?? 0 });
    c.continue();
  };
}

/** @type {Promise<IDBDatabase> | null} one connection for the page */
let connection = null;

/** @returns {Promise<IDBDatabase>} */
function open() {
  if (connection) return connection;
  /** @type {Promise<IDBDatabase>} */
  const opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = (e) => {
      const tx = /** @type {IDBTransaction} */ (req.transaction);
      if (e.oldVersion < 1) req.result.createObjectStore(RUNS, { keyPath: 'id', autoIncrement: true });
      if (e.oldVersion < 2) splitModels(tx);
    };
    req.onsuccess = () => {
      const db = req.result;
      // A newer page in another tab asks to upgrade: let it (this page's
      // next request opens the database again).
      db.onversionchange = () => {
        db.close();
        forget();
      };
      resolve(db);
    };
    req.onblocked = () =>
      reject(new Error('another tab has the run history open with an older version of the lab: close that tab, then reload this one'));
    req.onerror = () => reject(req.error ?? new Error('the browser refused to open the run history'));
  });
  const forget = () => {
    if (connection === opening) connection = null;
  };
  // A refusal is not kept: the next request tries again.
  opening.catch(forget);
  connection = opening;
  return opening;
}

/**
 * One transaction over `stores`; `work` makes its requests and returns what
 * the promise resolves to once the transaction commits (a function is called
 * then, so it can read results).
 * @param {IDBTransactionMode} mode
 * @param {string[]} stores
 * @param {(tx: IDBTransaction) => () => any} work
 * @returns {Promise<any>}
 */
async function transact(mode, stores, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    const result = work(tx);
    tx.oncomplete = () => resolve(result());
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the browser aborted the write'));
  });
}

/**
 * Calls `each` on every run record, oldest first, by a cursor (one record a
 * task) inside `tx`; then `done`.
 * @param {IDBTransaction} tx
 * @param {(run: any) => void} each
 * @param {() => void} [done]
 */
function everyRun(tx, each, done = () => {}) {
  const req = tx.objectStore(RUNS).openCursor();
  req.onsuccess = () => {
    const c = req.result;
    if (!c) return done();
    each(c.value);
    c.continue();
  };
}

/** This tab, for the runs it has in progress; held as a Web Lock while the tab lives. */
const TAB = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const lockName = (/** @type {string} */ tab) => `aelab-tab-${tab}`;
globalThis.navigator?.locks?.request(lockName(TAB), () => new Promise(() => {}));

/** Tabs alive now (their locks held); null where the browser has no Web Locks. */
async function liveTabs() {
  const locks = globalThis.navigator?.locks;
  if (!locks) return null;
  const { held = [] } = await locks.query();
  return new Set(held.map((l) => l.name));
}

export class History {
  constructor() {
    /** Tells other tabs, and this one's listeners, that the runs changed. */
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('aelab-history') : null;
    /** @type {(() => void) | null} */
    this.onChange = null;
    if (this.channel) this.channel.onmessage = () => this.onChange?.();
  }

  changed() {
    this.channel?.postMessage('changed');
  }

  /** A run record as kept while its run goes on: this tab's, "running". */
  running(/** @type {any} */ run) {
    return { ...run, status: 'running', tab: TAB };
  }

  /**
   * Marks runs left "running" by a tab that is gone as "interrupted"; where
   * the browser cannot tell (no Web Locks), every other tab's.
   */
  async markInterrupted() {
    const live = await liveTabs();
    let marked = 0;
    await transact('readwrite', [RUNS], (tx) => {
      const req = tx.objectStore(RUNS).openCursor();
      req.onsuccess = () => {
        const c = req.result;
        if (!c) return;
        const r = c.value;
        if (r.status === 'running' && r.tab !== TAB && !live?.has(lockName(r.tab))) {
          c.update({ ...r, status: 'interrupted' });
          marked += 1;
        }
        c.continue();
      };
      return () => undefined;
    });
    if (marked) this.changed();
    return marked;
  }

  /**
   * Rewrites run `id`'s record with `patch` (and its model, when given),
   * bounded as `add` is; resolves to false when the run is no longer kept.
   */
  async update(/** @type {number} */ id, /** @type {any} */ patch) {
    const { model, ...fields } = patch;
    /** @type {Error | null} */
    let full = null;
    let found = false;
    try {
      await transact('readwrite', [RUNS, MODELS], (tx) => {
        let bytes = 0;
        everyRun(
          tx,
          (r) => {
            if (r.id !== id) bytes += r.bytes ?? 0;
          },
          () => {
            const runs = tx.objectStore(RUNS);
            const req = runs.get(id);
            req.onsuccess = () => {
              if (!req.result) return;
              found = true;
              const record = { ...req.result, ...fields };
              if (model) {
                if (bytes + model.byteLength > MAX_BYTES) {
                  full = new Error(
                    `the history is full (${(bytes / 1e6).toFixed(1)} MB of models; the bound is ${MAX_BYTES / 1024 / 1024} MB): the run is kept without its model; delete runs to keep models`,
                  );
                } else {
                  record.bytes = model.byteLength;
                  tx.objectStore(MODELS).put(model, id);
                }
              }
              runs.put(record);
            };
          },
        );
        return () => undefined;
      });
    } catch (e) {
      const err = /** @type {Error} */ (e);
      throw new Error(
        err?.name === 'QuotaExceededError'
          ? 'the browser refuses to store more (its storage quota is full): delete runs to keep new ones'
          : `the run could not be kept: ${err?.message}`,
      );
    }
    this.changed();
    if (full) throw full;
    return found;
  }

  /**
   * Every run's record (no model; its size in `bytes`), oldest first.
   * @returns {Promise<any[]>}
   */
  all() {
    const runs = /** @type {any[]} */ ([]);
    return transact('readonly', [RUNS], (tx) => {
      everyRun(tx, (r) => runs.push(r));
      return () => runs;
    });
  }

  /**
   * Adds a run (its model, if any, in `model`); resolves to its id. The
   * bound is checked in the same transaction as the write; past it, or when
   * storage is full, nothing is written.
   */
  async add(/** @type {any} */ run) {
    const { model, ...record } = run;
    record.bytes = model?.byteLength ?? 0;
    /** @type {Error | null} */
    let full = null;
    try {
      const id = await transact('readwrite', [RUNS, MODELS], (tx) => {
        let count = 0;
        let bytes = 0;
        /** @type {IDBValidKey | undefined} */
        let id;
        everyRun(
          tx,
          (r) => {
            count += 1;
            bytes += r.bytes ?? 0;
          },
          () => {
            if (count >= MAX_RUNS || bytes + record.bytes > MAX_BYTES) {
              full = new Error(
                `the history is full (${count} runs, ${(bytes / 1e6).toFixed(1)} MB of models; the bound is ${MAX_RUNS} runs or ${MAX_BYTES / 1024 / 1024} MB): delete runs to keep new ones`,
              );
              tx.abort();
              return;
            }
            const req = tx.objectStore(RUNS).add(record);
            req.onsuccess = () => {
              id = req.result;
              if (model) tx.objectStore(MODELS).put(model, id);
            };
          },
        );
        return () => id;
      });
      this.changed();
      return id;
    } catch (e) {
      if (full) throw full;
      const err = /** @type {Error} */ (e);
      throw new Error(
        err?.name === 'QuotaExceededError'
          ? 'the browser refuses to store more (its storage quota is full): delete runs to keep new ones'
          : `the run could not be kept: ${err?.message}`,
      );
    }
  }

  /** A run's record (no model), or undefined. */
  get(/** @type {number} */ id) {
    return transact('readonly', [RUNS], (tx) => {
      const req = tx.objectStore(RUNS).get(id);
      return () => req.result;
    });
  }

  /** A run's model file, or undefined if it has none. */
  model(/** @type {number} */ id) {
    return transact('readonly', [MODELS], (tx) => {
      const req = tx.objectStore(MODELS).get(id);
      return () => req.result;
    });
  }

  /** Renames a run: read and written in one transaction, the model untouched. */
  async rename(/** @type {number} */ id, /** @type {string} */ name) {
    await transact('readwrite', [RUNS], (tx) => {
      const runs = tx.objectStore(RUNS);
      const req = runs.get(id);
      req.onsuccess = () => {
        if (req.result) runs.put({ ...req.result, name });
      };
      return () => undefined;
    });
    this.changed();
  }

  /** Deletes a run and its model together. */
  async remove(/** @type {number} */ id) {
    await transact('readwrite', [RUNS, MODELS], (tx) => {
      tx.objectStore(RUNS).delete(id);
      tx.objectStore(MODELS).delete(id);
      return () => undefined;
    });
    this.changed();
  }
}
