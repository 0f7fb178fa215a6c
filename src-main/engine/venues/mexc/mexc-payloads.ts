import { z } from 'zod';
import { Decimal } from '../../../../src-shared/domain/decimal';
import { ClientOrderId, InstrumentId, VenueOrderId } from '../../../../src-shared/domain/ids';
import { instrumentFromSpec, type Instrument } from '../../../../src-shared/domain/instrument';
import type { OrderStatus } from '../../../../src-shared/domain/order';
import { Money, Price, Quantity } from '../../../../src-shared/domain/values';
import type { VenueBalance, VenueClosedPosition, VenueOrderState, VenuePosition } from '../venue';

/**
 * MEXC contract (USDT-M perpetual) payloads, validated before anything acts on them. ccxt does
 * the transport, the signing and the error codes; these schemas read the raw `data` because
 * ccxt's unified parse of MEXC swap payloads loses what the engine needs (it maps side codes 3
 * and 4 to nothing, never reads `externalOid`, and reads the margin mode from a field MEXC does
 * not send), and because a garbled answer must become a `bad_response`, never a silent empty list.
 */

/** A MEXC number: JSON number or numeric string, read exactly. */
const Num = z.union([z.number(), z.string()]).transform((value, context) => {
  try {
    return Decimal.of(value);
  } catch {
    context.addIssue({ code: 'custom', message: `not a decimal number: ${String(value)}` });
    return z.NEVER;
  }
});

/** A small integer code sent as a number or a string ("2"). */
const Code = z.union([z.number(), z.string()]).transform((value, context) => {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    context.addIssue({ code: 'custom', message: `not an integer code: ${String(value)}` });
    return z.NEVER;
  }
  return n;
});

const Id = z.union([z.string().min(1), z.number()]).transform((value) => String(value));

/** `{success: true, code: 0, data}`; failures never get here (ccxt raises them). */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

export const MexcContractSchema = z.object({
  symbol: z.string().min(1),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  settleCoin: z.string().min(1),
  contractSize: Num,
  priceUnit: Num,
  volUnit: Num,
  minVol: Num,
  maxLeverage: Code,
  takerFeeRate: Num,
  makerFeeRate: Num,
  state: Code,
  apiAllowed: z.boolean().optional(),
});
export type MexcContract = z.output<typeof MexcContractSchema>;

export const MexcOrderSchema = z.object({
  orderId: Id,
  symbol: z.string().min(1),
  price: Num,
  vol: Num,
  side: Code.pipe(z.number().int().min(1).max(4)),
  orderType: Code,
  dealAvgPrice: Num.optional(),
  dealVol: Num,
  takerFee: Num.optional(),
  makerFee: Num.optional(),
  state: Code.pipe(z.number().int().min(1).max(5)),
  externalOid: z.string().nullable().optional(),
  errorCode: Code.optional(),
  leverage: Code.optional(),
  openType: Code.optional(),
  updateTime: Code.optional(),
});
export type MexcOrder = z.output<typeof MexcOrderSchema>;

export const MexcPositionSchema = z.object({
  positionId: Id,
  symbol: z.string().min(1),
  positionType: Code.pipe(z.number().int().min(1).max(2)),
  openType: Code,
  state: Code,
  holdVol: Num,
  holdAvgPrice: Num.optional(),
  openAvgPrice: Num,
  liquidatePrice: Num,
  im: Num,
  leverage: Code,
});
export type MexcPosition = z.output<typeof MexcPositionSchema>;

/**
 * A closed position from position/list/history_positions. MEXC's own sample (ccxt's mexc.js,
 * fetchPositionsHistory): closeProfitLoss is the gross close PnL, fee every fee of the position
 * (opening and closing) and realised = closeProfitLoss − fee; positionShowStatus says how it ended
 * ('CLOSED', 'LIQUIDATED'); the new*AvgPrice fields are the position's whole-life averages.
 */
export const MexcClosedPositionSchema = z.object({
  positionId: Id,
  symbol: z.string().min(1),
  positionType: Code.pipe(z.number().int().min(1).max(2)),
  state: Code,
  closeVol: Num,
  openAvgPrice: Num,
  closeAvgPrice: Num,
  newOpenAvgPrice: Num.optional(),
  newCloseAvgPrice: Num.optional(),
  closeProfitLoss: Num,
  fee: Num.optional(),
  realised: Num.optional(),
  positionShowStatus: z.string().min(1),
  createTime: Code.optional(),
  updateTime: Code,
});
export type MexcClosedPosition = z.output<typeof MexcClosedPositionSchema>;

/** A list whose entries are validated one by one (one unusable entry is skipped, not the whole answer). */
export const MexcListSchema = envelope(z.array(z.unknown()));

export const MexcAssetSchema = z.object({
  currency: z.string().min(1),
  positionMargin: Num,
  availableBalance: Num,
  frozenBalance: Num,
  equity: Num,
});

export const MexcTickerSchema = z.object({
  symbol: z.string().min(1),
  lastPrice: Num,
  fairPrice: Num,
});

/** MEXC id → the unified instrument id ("BTC_USDT" → "BTC/USDT:USDT"), as ccxt names linear swaps. */
export function instrumentIdOf(contract: { baseCoin: string; quoteCoin: string; settleCoin: string }): InstrumentId {
  return InstrumentId(`${contract.baseCoin}/${contract.quoteCoin}:${contract.settleCoin}`);
}

export function instrumentFromContract(contract: MexcContract): Instrument {
  return instrumentFromSpec({
    id: instrumentIdOf(contract),
    venue: 'mexc',
    symbol: contract.symbol,
    base: contract.baseCoin,
    quote: contract.quoteCoin,
    settle: contract.settleCoin,
    tickSize: contract.priceUnit.toString(),
    lotSize: contract.volUnit.toString(),
    minQuantity: contract.minVol.toString(),
    contractSize: contract.contractSize.toString(),
    maxLeverage: contract.maxLeverage,
    makerFee: contract.makerFeeRate.toString(),
    takerFee: contract.takerFeeRate.toString(),
  });
}

/**
 * MEXC order states: 1 uninformed, 2 uncompleted, 3 completed, 4 cancelled, 5 invalid. A
 * cancelled order keeps its fills in dealVol (status CANCELED with a filled quantity).
 */
export function orderStatusOf(order: MexcOrder): OrderStatus {
  switch (order.state) {
    case 1:
      return 'SUBMITTED';
    case 2:
      return order.dealVol.isPositive() ? 'PARTIALLY_FILLED' : 'ACCEPTED';
    case 3:
      return 'FILLED';
    case 4:
      return 'CANCELED';
    default:
      return 'REJECTED';
  }
}

export function orderStateOf(order: MexcOrder, instrumentId: InstrumentId, settle: string): VenueOrderState {
  const status = orderStatusOf(order);
  const commission = (order.takerFee ?? Decimal.ZERO).add(order.makerFee ?? Decimal.ZERO);
  return {
    clientOrderId: ClientOrderId(order.externalOid ?? ''),
    venueOrderId: VenueOrderId(order.orderId),
    instrumentId,
    status,
    filledQuantity: Quantity.of(order.dealVol),
    averageFillPrice: order.dealVol.isPositive() && order.dealAvgPrice !== undefined && order.dealAvgPrice.isPositive() ? Price.of(order.dealAvgPrice) : null,
    commission: Money.money(commission, settle),
    reason: status === 'REJECTED' ? `MEXC marked the order invalid (error code ${order.errorCode ?? 'unknown'})` : null,
  };
}

/**
 * A MEXC position (one side of the hedge-mode pair). Mark price and unrealised PnL come from the
 * contract's fair price when the caller has it; MEXC's position payload carries neither.
 */
export function positionOf(position: MexcPosition, instrument: Instrument | undefined, instrumentId: InstrumentId, fairPrice: Decimal | null, settle: string): VenuePosition {
  const side = position.positionType === 1 ? 'LONG' : 'SHORT';
  const entry = position.openAvgPrice.isPositive() ? position.openAvgPrice : (position.holdAvgPrice ?? null);
  let unrealizedPnl: Money | null = null;
  if (fairPrice !== null && entry !== null && instrument !== undefined) {
    const perContract = side === 'LONG' ? fairPrice.sub(entry) : entry.sub(fairPrice);
    unrealizedPnl = Money.money(perContract.mul(position.holdVol, 'half-even').mul(instrument.contractSize, 'half-even'), settle);
  }
  return {
    instrumentId,
    side,
    quantity: Quantity.of(position.holdVol),
    entryPrice: entry === null ? null : Price.of(entry),
    markPrice: fairPrice === null ? null : Price.of(fairPrice),
    liquidationPrice: position.liquidatePrice.isPositive() ? Price.of(position.liquidatePrice) : null,
    leverage: position.leverage,
    margin: Money.money(position.im, settle),
    unrealizedPnl,
  };
}

/** A closed MEXC position as the venue reports it; null when it has no close price to settle at. */
export function closedPositionOf(position: MexcClosedPosition, instrumentId: InstrumentId, settle: string): VenueClosedPosition | null {
  const pick = (whole: Decimal | undefined, fallback: Decimal): Decimal | null => (whole?.isPositive() ? whole : fallback.isPositive() ? fallback : null);
  const exit = pick(position.newCloseAvgPrice, position.closeAvgPrice);
  if (exit === null) return null;
  const entry = pick(position.newOpenAvgPrice, position.openAvgPrice);
  return {
    instrumentId,
    side: position.positionType === 1 ? 'LONG' : 'SHORT',
    quantity: Quantity.of(position.closeVol),
    entryPrice: entry === null ? null : Price.of(entry),
    exitPrice: Price.of(exit),
    realizedPnl: Money.money(position.closeProfitLoss, settle),
    fees: position.fee === undefined ? null : Money.money(position.fee, settle),
    liquidated: position.positionShowStatus === 'LIQUIDATED',
    openedAt: position.createTime ?? null,
    closedAt: position.updateTime,
  };
}

export function balanceOf(asset: z.output<typeof MexcAssetSchema>): VenueBalance {
  return {
    currency: asset.currency,
    total: Money.money(asset.equity, asset.currency),
    free: Money.money(asset.availableBalance, asset.currency),
    used: Money.money(asset.positionMargin.add(asset.frozenBalance), asset.currency),
  };
}
