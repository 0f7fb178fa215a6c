export { openDatabase, openDatabaseWithReport, type OpenDatabaseOptions, type OpenedDatabase, type SqliteDatabase } from './database';
export {
  defaultMigrationsDir, latestMigrationVersion, loadMigrations, migrate, MigrationError, NewerDatabaseError, userVersion,
  type MigrateOptions, type Migration, type MigrationReport,
} from './migrations';
export { openStore, Store, type OpenStoreOptions, type StoreOptions, type WriteProbe } from './store';
export { SessionRepository, type SessionChanges, type SessionListOptions } from './sessions';
export { OPEN_ORDER_STATUSES, OrderRepository, type OrderListOptions } from './orders';
export { FillRepository } from './fills';
export { PositionRepository, type PositionListOptions } from './positions';
export { SignalRepository, type SignalListOptions } from './signals';
export { RiskEventRepository, type RiskEventRecord } from './risk-events';
export { StrategyRepository, type StoredStrategy, type StrategyInput } from './strategies';
export {
  RecordingInputError, RecordingRepository, type BookInput, type CreateRecordingInput, type InstrumentStats, type RecordingRepositoryOptions, type SeriesStats, type TradeInput,
} from './recordings';
export { bookUpdateAt, bookUpdatesOf, type BookChunk, type TradeChunk } from './tick-codec';
export { loadSettings, saveSettings, SettingsError, updateSettings } from './settings-file';
export type { StoreClock } from './rows';
