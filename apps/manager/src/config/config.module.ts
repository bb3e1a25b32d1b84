import { Module } from '@nestjs/common';
import { ConfigService } from './config.service';

/** The routing configuration shared by every replica through the database. */
@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}
