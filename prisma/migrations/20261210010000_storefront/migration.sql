-- Storefront: a checkout asks for a phone number and makes email optional (D2C buyers from Instagram and WhatsApp
-- give a phone); brands set a logo and a colour for their shop pages.

-- AlterTable
ALTER TABLE "orders" ALTER COLUMN "email" DROP NOT NULL;

-- AlterTable
ALTER TABLE "brand_settings" ADD COLUMN     "brand_color" TEXT,
ADD COLUMN     "logo_url" TEXT;
