import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { CartQuoteDto, CartQuoteResponse } from './dto/cart.dto.js';
import { CartService } from './cart.service.js';

@ApiTags('cart')
@Controller('cart')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Public()
  @Post('quote')
  @HttpCode(200)
  @ApiOperation({ operationId: 'quoteCart', summary: 'Price a basket and check stock without reserving anything' })
  @ApiOkResponse({ type: CartQuoteResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description:
      'A line is unknown, archived, deactivated, not on sale yet or has quantity ≤ 0; or currencies are mixed. details names the ' +
      'line (items.N.variantId / items.N.quantity)',
  })
  quote(@Body() dto: CartQuoteDto): Promise<CartQuoteResponse> {
    return this.cart.quote(dto.items);
  }
}
