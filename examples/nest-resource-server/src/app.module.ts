import { DynamicModule, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ResourceServerConfig } from './config.js';
import { HelloController } from './hello.controller.js';
import { JwtStrategy } from './jwt.strategy.js';

@Module({})
export class AppModule {
  static forRoot(config: ResourceServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PassportModule],
      controllers: [HelloController],
      providers: [{ provide: ResourceServerConfig, useValue: config }, JwtStrategy],
    };
  }
}
