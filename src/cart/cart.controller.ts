import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiBody({
    type: CartQuoteDto,
    examples: {
      twoLines: {
        summary: 'Two variants',
        value: {
          items: [
            { variantId: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', quantity: 2 },
            { variantId: '0d1c2f3a-4b5c-4b8e-9a53-6f1c2a8e2b7e', quantity: 1 },
          ],
        },
      },
    },
  })
  quote(@Body() dto: CartQuoteDto): Promise<CartQuoteResponse> {
    return this.cart.quote(dto.items);
  }
}
