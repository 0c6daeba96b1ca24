import { Body, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { CustomerPageResponse, CustomerResponse, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customers.dto.js';
import { CustomersService } from './customers.service.js';

const PHONE_PARAM = {
  name: 'phone',
  description: 'The customer’s phone as given at checkout (URL-encoded: %2B for +)',
  example: '%2B919812345678',
};

@AdminController('admin/customers', 'customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @ApiOperation({ operationId: 'listCustomers', summary: 'Customers built from orders (one per checkout phone), most recent order first' })
  @ApiOkResponse({ type: CustomerPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: ListCustomersQueryDto): Promise<CustomerPageResponse> {
    return this.customers.list(query);
  }

  @Get(':phone')
  @ApiParam(PHONE_PARAM)
  @ApiOperation({
    operationId: 'getCustomer',
    summary: 'One customer: orders count, lifetime value, note and tags (their orders: GET /orders?q=<phone>)',
  })
  @ApiOkResponse({ type: CustomerResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Param('phone') phone: string): Promise<CustomerResponse> {
    return this.customers.get(phone);
  }

  @Patch(':phone')
  @ApiParam(PHONE_PARAM)
  @ApiOperation({ operationId: 'updateCustomer', summary: "Set a customer's note and/or tags (audited)" })
  @ApiOkResponse({ type: CustomerResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  update(@Param('phone') phone: string, @Body() dto: UpdateCustomerDto, @CurrentActor() actor: Actor): Promise<CustomerResponse> {
    return this.customers.update(phone, dto, actor);
  }
}
