import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';

export class PlatformBrandResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'chai-point' }) slug!: string;
  @ApiProperty({ example: 'Chai Point' }) name!: string;
  @ApiProperty({
    enum: ['ACTIVE', 'SUSPENDED'],
    description: "SUSPENDED: the brand's staff, storefront and checkout are refused (403); its payment webhooks are still recorded",
  })
  status!: string;
  @ApiProperty({
    type: [String],
    example: ['shop.chaipoint.in'],
    description: "Host names that serve the brand's public routes and storefront",
  })
  hosts!: string[];
  @ApiProperty() createdAt!: Date;
}

export class SetBrandHostsDto {
  @ApiProperty({
    type: [String],
    example: ['shop.chaipoint.in'],
    description: 'Every host name of the brand (replaces the list); lower case, no port',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    each: true,
    message: 'hosts must be lower-case host names such as shop.example.com',
  })
  hosts!: string[];
}
