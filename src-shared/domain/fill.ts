import type { ClientOrderId, FillId, InstrumentId, VenueOrderId } from './ids';
import type { OrderSide } from './order';
import type { Money, Price, Quantity } from './values';

export type LiquiditySide = 'MAKER' | 'TAKER';

export interface Fill {
  fillId: FillId;
  clientOrderId: ClientOrderId;
  venueOrderId: VenueOrderId | null;
  instrumentId: InstrumentId;
  side: OrderSide;
  lastQty: Quantity; // contracts
  lastPx: Price;
  liquiditySide: LiquiditySide;
  commission: Money;
  tsEvent: number; // ms
}
