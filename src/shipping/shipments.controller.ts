import { Body, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { ShipmentsService } from './shipments.service.js';
import {
  BookingResultsResponse,
  BookShipmentsDto,
  CarrierResponse,
  CustomerRtoResponse,
  LabelResponse,
  ParcelEventResultResponse,
  ReceiveRtoDto,
  RecordRemittanceDto,
  RemittanceResultResponse,
  ReportParcelEventDto,
  ShipmentDetailResponse,
  ShipmentPageResponse,
  ShipmentResponse,
  ShipmentsQueryDto,
} from './dto/shipments.dto.js';

const ShipmentIdPipe = new ParseUUIDPipe({ version: undefined });

/** Staff's shipping: booking (one order or many), labels, cancellation, NDR and RTO lists, RTO receipt, COD remittance. */
@AdminController('', 'shipping')
export class ShipmentsController {
  constructor(private readonly shipments: ShipmentsService) {}

  @Get('shipping/carriers')
  @ApiOperation({
    operationId: 'listCarriers',
    summary: 'The carriers parcels can be booked with, and whether each is configured (admin)',
  })
  @ApiOkResponse({ type: [CarrierResponse] })
  carriers(): Promise<CarrierResponse[]> {
    return this.shipments.carrierList();
  }

  @Get('shipping/customers/:phone/rto')
  @ApiOperation({
    operationId: 'getCustomerRto',
    summary: "Parcels returned to origin for a customer's phone (admin)",
  })
  @ApiOkResponse({ type: CustomerRtoResponse })
  customerRto(@Param('phone') phone: string): Promise<CustomerRtoResponse> {
    return this.shipments.customerRto(phone);
  }

  @Post('shipments')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'bookShipments',
    summary: 'Book parcels for one or many orders (admin)',
    description: 'Each order is booked on its own: the answer has one result per order, booked or why not. Booking fulfils the order.',
  })
  @ApiOkResponse({ type: BookingResultsResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Unknown carrier, bad package, manual details missing' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'The carrier is not configured' })
  book(@Body() dto: BookShipmentsDto, @CurrentActor() actor: Actor): Promise<BookingResultsResponse> {
    return this.shipments.book(dto, actor);
  }

  @Get('shipments')
  @ApiOperation({
    operationId: 'listShipments',
    summary: 'Shipments, newest change first; view=ndr (failed deliveries) or view=rto (returns to origin) (admin)',
  })
  @ApiOkResponse({ type: ShipmentPageResponse })
  list(@Query() query: ShipmentsQueryDto): Promise<ShipmentPageResponse> {
    return this.shipments.list(query);
  }

  @Post('shipments/remittances')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'recordCodRemittance',
    summary: "Record a carrier's COD remittance (admin)",
    description: 'Per AWB: the cash collected on delivery is marked remitted with the amount and reference, once.',
  })
  @ApiOkResponse({ type: RemittanceResultResponse })
  remittance(@Body() dto: RecordRemittanceDto, @CurrentActor() actor: Actor): Promise<RemittanceResultResponse> {
    return this.shipments.recordRemittance(dto, actor);
  }

  @Get('shipments/:id')
  @ApiOperation({
    operationId: 'getShipment',
    summary: 'A shipment with every tracking event received (admin)',
  })
  @ApiOkResponse({ type: ShipmentDetailResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  detail(@Param('id', ShipmentIdPipe) id: string): Promise<ShipmentDetailResponse> {
    return this.shipments.detail(id);
  }

  @Get('shipments/:id/label')
  @ApiOperation({
    operationId: 'getShipmentLabel',
    summary: "The parcel's label (the carrier's PDF URL) (admin)",
  })
  @ApiOkResponse({ type: LabelResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown shipment, or a carrier without labels (manual)' })
  async label(@Param('id', ShipmentIdPipe) id: string): Promise<LabelResponse> {
    return { labelUrl: await this.shipments.label(id) };
  }

  @Post('shipments/:id/cancel')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'cancelShipment',
    summary: 'Cancel a booked parcel that has not been picked up; the order can be booked again (admin)',
  })
  @ApiOkResponse({ type: ShipmentResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not booked, or already on its way' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'The carrier refused' })
  cancel(@Param('id', ShipmentIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ShipmentResponse> {
    return this.shipments.cancel(id, actor);
  }

  @Post('shipments/:id/events')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'reportParcelEvent',
    summary: "Report what the courier said (the manual carrier's tracking, or a correction) (admin)",
    description: 'Goes the same way as carrier webhooks: applied only if the order state allows it and it is the newest news.',
  })
  @ApiOkResponse({ type: ParcelEventResultResponse })
  report(
    @Param('id', ShipmentIdPipe) id: string,
    @Body() dto: ReportParcelEventDto,
    @CurrentActor() actor: Actor,
  ): Promise<ParcelEventResultResponse> {
    return this.shipments.report(id, dto, actor);
  }

  @Post('shipments/:id/rto/receive')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'receiveRtoParcel',
    summary: 'Receive a parcel returned to origin: restock its goods (except those marked damaged) and close the order (admin)',
  })
  @ApiOkResponse({ type: ShipmentResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The order is not returning to origin' })
  receiveRto(@Param('id', ShipmentIdPipe) id: string, @Body() dto: ReceiveRtoDto, @CurrentActor() actor: Actor): Promise<ShipmentResponse> {
    return this.shipments.receiveRto(id, dto, actor);
  }
}
