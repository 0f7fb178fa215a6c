/** Branded ids: a ClientOrderId can never be passed where a VenueOrderId is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type InstrumentId = Brand<string, 'InstrumentId'>; // e.g. "BTC/USDT:USDT"
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
export type StrategyId = Brand<string, 'StrategyId'>;
export type SessionId = Brand<string, 'SessionId'>;
export type PositionId = Brand<string, 'PositionId'>;
export type FillId = Brand<string, 'FillId'>;

export const InstrumentId = (value: string): InstrumentId => value as InstrumentId;
export const ClientOrderId = (value: string): ClientOrderId => value as ClientOrderId;
export const VenueOrderId = (value: string): VenueOrderId => value as VenueOrderId;
export const StrategyId = (value: string): StrategyId => value as StrategyId;
export const SessionId = (value: string): SessionId => value as SessionId;
export const PositionId = (value: string): PositionId => value as PositionId;
export const FillId = (value: string): FillId => value as FillId;
