import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OutboundTargets, type OutboundTargetEnvironment } from './outbound-targets.js';

/** The address policy of admin-configured connections (webhook endpoints, brand SMTP servers), for the modules that make them. */
@Module({
  providers: [
    {
      provide: OutboundTargets,
      inject: [ConfigService],
      useFactory: (config: ConfigService<OutboundTargetEnvironment, true>) =>
        new OutboundTargets(config.get('ALLOW_PRIVATE_TARGETS', { infer: true })),
    },
  ],
  exports: [OutboundTargets],
})
export class OutboundTargetsModule {}
