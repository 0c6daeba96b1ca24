import { Body, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminController, CurrentActor, CurrentUser, type AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { AddStaffDto, ResetStaffPasswordDto, StaffMemberResponse } from './dto/staff.dto.js';
import { StaffService } from './staff.service.js';

const OWNER_ONLY = 'Owner only (403 for other admins). Audited.';

@AdminController('admin/staff', 'staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @ApiOperation({ operationId: 'listStaff', summary: "The brand's staff (admin) accounts, oldest first" })
  @ApiOkResponse({ type: [StaffMemberResponse] })
  list(): Promise<StaffMemberResponse[]> {
    return this.staff.list();
  }

  @Post()
  @ApiOperation({ operationId: 'addStaff', summary: 'Add an admin', description: OWNER_ONLY })
  @ApiCreatedResponse({ type: StaffMemberResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'An account with this email exists' })
  add(@Body() dto: AddStaffDto, @CurrentUser() caller: AuthUser, @CurrentActor() actor: Actor): Promise<StaffMemberResponse> {
    return this.staff.add(dto, caller, actor);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ operationId: 'disableStaff', summary: 'Disable an admin: signs them out everywhere at once', description: OWNER_ONLY })
  @ApiOkResponse({ type: StaffMemberResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Your own account, or an owner' })
  disable(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentUser() caller: AuthUser,
    @CurrentActor() actor: Actor,
  ): Promise<StaffMemberResponse> {
    return this.staff.disable(id, caller, actor);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ operationId: 'enableStaff', summary: 'Enable a disabled admin again', description: OWNER_ONLY })
  @ApiOkResponse({ type: StaffMemberResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Your own account, or an owner' })
  enable(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentUser() caller: AuthUser,
    @CurrentActor() actor: Actor,
  ): Promise<StaffMemberResponse> {
    return this.staff.enable(id, caller, actor);
  }

  @Post(':id/password')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resetStaffPassword', summary: "Reset an admin's password: their sessions end", description: OWNER_ONLY })
  @ApiOkResponse({ type: StaffMemberResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Your own account (change it on the account page), or an owner' })
  resetPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ResetStaffPasswordDto,
    @CurrentUser() caller: AuthUser,
    @CurrentActor() actor: Actor,
  ): Promise<StaffMemberResponse> {
    return this.staff.resetPassword(id, dto.password, caller, actor);
  }
}
